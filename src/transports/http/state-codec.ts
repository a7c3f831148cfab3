import type { StateItem } from '../../contracts/state.js';
import { encodeJsonValue } from '../../core/state-values.js';
import type { BulkStateItem, SaveStateItem, StateOptions, TransactionRequestOperation } from '../../core/state-requests.js';
import type { StateQueryPage } from '../../core/state-api.js';
import { field, isObject, malformed, nullAsEmpty, optionalString, optionalStringMap, parseJsonBody, typeName, type JsonObject } from './request.js';

/** JSON ⇄ core request types for the state routes. Shapes only: the rules live in core/state-api.ts. */

export function decodeSaveItems(body: unknown): SaveStateItem[] {
  if (body === null) return []; // Go decodes `null` into an empty list: daprd saves nothing and answers 204
  if (!Array.isArray(body)) throw malformed(`request body must be a JSON array of state items, got ${typeName(body)}`);
  return body.map((raw, i) => {
    const path = `[${i}]`;
    if (!isObject(raw)) throw malformed(`${path} must be an object with "key" and "value", got ${typeName(raw)}`);
    return decodeItem(raw, path);
  });
}

export function decodeBulkGet(json: unknown): { keys: string[]; parallelism?: number; metadata?: Record<string, string> } {
  const body = nullAsEmpty(json);
  if (!isObject(body)) throw malformed(`request body must be a JSON object with "keys", got ${typeName(body)}`);
  const raw = field(body, 'keys') ?? [];
  if (!Array.isArray(raw) || raw.some((k) => typeof k !== 'string' && k !== null)) throw malformed('keys must be an array of strings');
  const keys = raw.map((k: string | null) => k ?? ''); // Go decodes a null key as ""
  const parallelism = field(body, 'parallelism');
  if (parallelism !== undefined && parallelism !== null && (typeof parallelism !== 'number' || !Number.isInteger(parallelism))) {
    throw malformed(`parallelism must be an integer, got ${typeName(parallelism)}`);
  }
  return { keys, parallelism: (parallelism as number | null) ?? undefined, metadata: optionalStringMap(body, 'metadata', 'body') };
}

export function decodeTransaction(json: unknown): { operations: TransactionRequestOperation[]; metadata?: Record<string, string> } {
  const body = nullAsEmpty(json);
  if (!isObject(body)) throw malformed(`request body must be a JSON object with "operations", got ${typeName(body)}`);
  const ops = field(body, 'operations') ?? [];
  if (!Array.isArray(ops)) throw malformed(`operations must be an array, got ${typeName(ops)}`);
  const operations = ops.map((op, i): TransactionRequestOperation => {
    const path = `operations[${i}]`;
    if (!isObject(op)) throw malformed(`${path} must be an object, got ${typeName(op)}`);
    const request = field(op, 'request') ?? {};
    if (!isObject(request)) throw malformed(`${path}.request must be an object, got ${typeName(request)}`);
    return { operation: optionalString(op, 'operation', path) ?? '', request: decodeItem(request, `${path}.request`) };
  });
  return { operations, metadata: optionalStringMap(body, 'metadata', 'body') };
}

function decodeItem(raw: JsonObject, path: string): SaveStateItem {
  const key = field(raw, 'key');
  if (key !== undefined && key !== null && typeof key !== 'string') throw malformed(`${path}.key must be a string, got ${typeName(key)}`);
  const options = field(raw, 'options');
  if (options !== undefined && options !== null && !isObject(options)) throw malformed(`${path}.options must be an object, got ${typeName(options)}`);
  const value = field(raw, 'value');
  return {
    key: (key as string | null) ?? '',
    value: encodeJsonValue(value === undefined ? null : value),
    etag: optionalString(raw, 'etag', path),
    options: options ? decodeOptions(options, `${path}.options`) : undefined,
    metadata: optionalStringMap(raw, 'metadata', path),
  };
}

function decodeOptions(o: JsonObject, path: string): StateOptions {
  return { concurrency: optionalString(o, 'concurrency', path), consistency: optionalString(o, 'consistency', path) };
}

/** The SQL API's body: `{"query": "SELECT …", "token": "…"}`, or the bare SQL as `text/plain` or `application/sql`. */
export function decodeSqlRequest(body: unknown, contentType: string | undefined): { sql: string; token?: string } {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (media === 'text/plain' || media === 'application/sql') return { sql: Buffer.isBuffer(body) ? body.toString('utf8') : '' };
  const json = parseJsonBody(body);
  if (!isObject(json)) throw malformed(`request body must be a JSON object {"query": "SELECT …"}, got ${typeName(json)}`);
  const sql = field(json, 'query');
  if (typeof sql !== 'string') throw malformed(`query must be a string of SQL, got ${sql === undefined ? 'nothing' : typeName(sql)}`);
  return { sql, token: optionalString(json, 'token', 'body') };
}

/** Bulk results as daprd writes them: stored bytes embedded as raw JSON under `data`. */
export function encodeBulkItems(items: BulkStateItem[]): string {
  const parts = items.map((r) => {
    let s = `{"key":${JSON.stringify(r.key)}`;
    if (r.error) s += `,"error":${JSON.stringify(r.error)}`;
    if (r.item) s += itemFields(r.item);
    return `${s}}`;
  });
  return `[${parts.join(',')}]`;
}

/** daprd's query response: `{"results":[{"key","data","etag"}],"token"}`, values embedded as raw JSON. */
export function encodeQueryPage(page: StateQueryPage): string {
  const results = page.results.map((r) => `{"key":${JSON.stringify(r.key)},"data":${rawJson(r.data)}${r.etag ? `,"etag":${JSON.stringify(r.etag)}` : ''}}`);
  return `{"results":[${results.join(',')}]${page.token ? `,"token":${JSON.stringify(page.token)}` : ''}}`;
}

function itemFields(item: StateItem): string {
  let s = `,"data":${rawJson(item.data)}`;
  if (item.etag) s += `,"etag":${JSON.stringify(item.etag)}`;
  if (item.metadata && Object.keys(item.metadata).length > 0) s += `,"metadata":${JSON.stringify(item.metadata)}`;
  return s;
}

/** Values saved over HTTP are JSON; raw bytes saved over gRPC that are not JSON go out as a string. */
function rawJson(data: Buffer): string {
  const text = data.toString('utf8');
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}
