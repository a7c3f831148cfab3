import type { Violation } from '../core/contract-gate.js';
import type { Headers } from '../core/invocation/types.js';
import { escapePointer, isObj, type ContractDocuments, type Location } from './contract-documents.js';
import type { Dialect, PayloadCheck, SchemaCompiler } from './schema-validators.js';

const VERBS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  /** The schema's `type`, to read the string the wire carries as a number, boolean or list. */
  type?: unknown;
  check?: PayloadCheck;
}

/** A media type's schema: `application/json` and `+json` bodies are parsed and checked, others only required. */
interface Body {
  required: boolean;
  media: Array<{ type: string; check?: PayloadCheck }>;
}

export interface Operation {
  verb: string;
  /** The OpenAPI path, e.g. `/orders/{id}`. */
  path: string;
  operationId?: string;
  params: Parameter[];
  body?: Body;
  /** By status key: `200`, `2XX`, `default`. */
  responses: Map<string, Body>;
  match(path: string): Record<string, string> | undefined;
}

/** The request of a call, as the check sees it: path without the query, the raw query, lowercase headers. */
export interface CallShape {
  verb: string;
  path: string;
  query: string;
  headers: Headers;
  body: Buffer;
}

/** Every operation of an OpenAPI 3.0/3.1 document, its schemas compiled; concrete paths are tried before templated ones. */
export function openApiOperations(docs: ContractDocuments, compiler: SchemaCompiler, root: string, dialect: Dialect): Operation[] {
  const doc = docs.get({ uri: root, pointer: '' });
  if (!isObj(doc) || !isObj(doc.paths)) return [];
  const ops: Operation[] = [];
  const compile = (at: Location) => compiler.compile(at, dialect);
  for (const path of Object.keys(doc.paths)) {
    const { value: item, at: itemAt } = docs.deref({ uri: root, pointer: `/paths/${escapePointer(path)}` });
    if (!isObj(item)) continue;
    const shared = parameters(docs, compile, { ...itemAt, pointer: `${itemAt.pointer}/parameters` });
    const match = pathMatcher(path);
    for (const verb of VERBS) {
      if (!isObj(item[verb])) continue;
      const opAt = { ...itemAt, pointer: `${itemAt.pointer}/${verb}` };
      const op = item[verb] as Record<string, unknown>;
      const own = parameters(docs, compile, { ...opAt, pointer: `${opAt.pointer}/parameters` });
      const params = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
      const responses = new Map<string, Body>();
      for (const status of Object.keys(isObj(op.responses) ? op.responses : {})) {
        const body = bodyOf(docs, compile, { ...opAt, pointer: `${opAt.pointer}/responses/${escapePointer(status)}` });
        if (body) responses.set(status.toUpperCase(), body);
      }
      const requestBody = bodyOf(docs, compile, { ...opAt, pointer: `${opAt.pointer}/requestBody` });
      ops.push({ verb: verb.toUpperCase(), path, operationId: typeof op.operationId === 'string' ? op.operationId : undefined, params, body: requestBody, responses, match });
    }
  }
  const templated = (p: string) => (p.match(/\{/g) ?? []).length;
  return ops.sort((a, b) => templated(a.path) - templated(b.path));
}

function parameters(docs: ContractDocuments, compile: (at: Location) => PayloadCheck | undefined, listAt: Location): Parameter[] {
  const list = docs.get(listAt);
  if (!Array.isArray(list)) return [];
  const out: Parameter[] = [];
  list.forEach((_, i) => {
    const { value: p, at } = docs.deref({ ...listAt, pointer: `${listAt.pointer}/${i}` });
    if (!isObj(p) || typeof p.name !== 'string' || (p.in !== 'path' && p.in !== 'query' && p.in !== 'header')) return;
    const schema = p.schema === undefined ? undefined : docs.deref({ ...at, pointer: `${at.pointer}/schema` }).value;
    out.push({
      name: p.in === 'header' ? p.name.toLowerCase() : p.name,
      in: p.in,
      required: p.required === true || p.in === 'path',
      type: isObj(schema) ? schema.type : undefined,
      check: p.schema === undefined ? undefined : compile({ ...at, pointer: `${at.pointer}/schema` }),
    });
  });
  return out;
}

function bodyOf(docs: ContractDocuments, compile: (at: Location) => PayloadCheck | undefined, at: Location): Body | undefined {
  const { value, at: bodyAt } = docs.deref(at);
  if (!isObj(value)) return undefined;
  const content = isObj(value.content) ? value.content : {};
  const media = Object.keys(content).map((type) => {
    const mediaAt = { ...bodyAt, pointer: `${bodyAt.pointer}/content/${escapePointer(type)}` };
    const schema = isObj(content[type]) && (content[type] as Record<string, unknown>).schema !== undefined;
    return { type: type.toLowerCase(), check: schema ? compile({ ...mediaAt, pointer: `${mediaAt.pointer}/schema` }) : undefined };
  });
  return { required: value.required === true, media };
}

/** `/orders/{id}` as a matcher of concrete paths: each template segment matches one segment, decoded. */
function pathMatcher(template: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return '([^/]+)';
    })
    .join('');
  const regex = new RegExp(`^${pattern}/?$`);
  return (path) => {
    const m = regex.exec(path);
    if (!m) return undefined;
    const out: Record<string, string> = {};
    names.forEach((n, i) => (out[n] = safeDecode(m[i + 1]!)));
    return out;
  };
}

/** The operation a call targets, and the values of its path's templates. */
export function findOperation(ops: readonly Operation[], verb: string, path: string): { op: Operation; pathParams: Record<string, string> } | undefined {
  for (const op of ops) {
    if (op.verb !== verb) continue;
    const pathParams = op.match(path);
    if (pathParams) return { op, pathParams };
  }
  return undefined;
}

/** Every way a call breaks its operation: parameters (path, query, header) and body. */
export function checkRequest(op: Operation, pathParams: Record<string, string>, call: CallShape): Violation[] {
  const query = new URLSearchParams(call.query);
  const out: Violation[] = [];
  for (const p of op.params) {
    const values = p.in === 'path' ? (pathParams[p.name] === undefined ? [] : [pathParams[p.name]!]) : p.in === 'query' ? query.getAll(p.name) : (call.headers[p.name] ?? []);
    const where = `/${p.in}/${escapePointer(p.name)}`;
    if (values.length === 0) {
      if (p.required) out.push({ pointer: where, message: `${p.in} parameter "${p.name}" is required` });
      continue;
    }
    for (const v of p.check?.(wireValue(values, p.type)) ?? []) out.push({ pointer: `${where}${v.pointer}`, message: v.message });
  }
  out.push(...checkBody(op.body, call.headers['content-type']?.[0], call.body, '/body'));
  return out;
}

/** How an answer breaks the operation's responses: its status (exact, then `2XX`, then `default`) and body. */
export function checkResponse(op: Operation, status: number, contentType: string | undefined, body: Buffer): Violation[] {
  if (op.responses.size === 0) return [];
  const declared = op.responses.get(String(status)) ?? op.responses.get(`${String(status)[0]}XX`) ?? op.responses.get('DEFAULT');
  if (!declared) return [{ pointer: '/status', message: `status ${status} is not a response of ${op.verb} ${op.path}` }];
  return checkBody(declared, contentType, body, '/body');
}

function checkBody(body: Body | undefined, contentType: string | undefined, bytes: Buffer, prefix: string): Violation[] {
  if (!body) return [];
  if (bytes.length === 0) return body.required ? [{ pointer: prefix, message: 'a body is required' }] : [];
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const media = body.media.find((m) => m.type === type) ?? body.media.find((m) => mediaRangeMatches(m.type, type));
  if (!media) return body.media.length === 0 ? [] : [{ pointer: prefix, message: `content type ${type} is not one of ${body.media.map((m) => m.type).join(', ')}` }];
  if (!media.check) return [];
  if (!/[/+]json$/.test(type)) return media.check(bytes.toString('utf8')).map((v) => ({ pointer: `${prefix}${v.pointer}`, message: v.message }));
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return [{ pointer: prefix, message: 'is not valid JSON' }];
  }
  return media.check(value).map((v) => ({ pointer: `${prefix}${v.pointer}`, message: v.message }));
}

function mediaRangeMatches(range: string, type: string): boolean {
  if (range === '*/*') return true;
  return range.endsWith('/*') && type.startsWith(range.slice(0, -1));
}

/** A parameter's wire text as the value its schema describes: numbers, booleans and lists (repeated or comma-separated). */
function wireValue(values: string[], type: unknown): unknown {
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('array')) return values.flatMap((v) => v.split(','));
  const v = values[0]!;
  if ((types.includes('integer') || types.includes('number')) && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (types.includes('boolean') && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
