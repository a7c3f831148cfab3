import type { ValidateFunction } from 'ajv';
import { ajv, describeAjvError } from '../config/ajv.js';
import { readMechaResources, type MechaResource } from '../config/mecha-resources.js';
import type { ResourceDocument } from '../config/resource-documents.js';
import type { ResourceProblem } from '../config/resource-problem.js';
import { asyncApiTopics, type TopicRule } from './asyncapi-topics.js';
import { ContractDocuments, isObj } from './contract-documents.js';
import { openApiOperations, type Operation } from './openapi-operations.js';
import { checkDocument, SchemaCompiler, type DocumentKind, type PayloadCheck } from './schema-validators.js';

export type Enforce = 'reject' | 'warn' | 'off';

export interface BindingRule {
  name: string;
  /** Undefined: every operation of the binding. */
  operation?: string;
  check: PayloadCheck;
}

/** One Contract, its documents read and every schema compiled. */
export interface LoadedContract {
  name: string;
  enforce: Enforce;
  /** Which parts the spec has: `asyncapi`, `openapi`, `topics`, `bindings`. */
  parts: string[];
  topics: TopicRule[];
  bindings: BindingRule[];
  /** The app the OpenAPI document describes, the document's URI and its operations. */
  openapi?: { appId: string; root: string; operations: Operation[] };
}

const schemaOrRef = { type: 'object' };
const documentPart = { type: 'object', description: 'an inline document, or { file: path } relative to the resource file' };
const SPEC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enforce: { type: 'string', enum: ['reject', 'warn', 'off'] },
    appId: { type: 'string', minLength: 1 },
    asyncapi: documentPart,
    openapi: documentPart,
    topics: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['pubsubname', 'topic', 'schema'], properties: { pubsubname: { type: 'string', minLength: 1 }, topic: { type: 'string', minLength: 1 }, schema: schemaOrRef } },
    },
    bindings: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['name', 'schema'], properties: { name: { type: 'string', minLength: 1 }, operation: { type: 'string', minLength: 1 }, schema: schemaOrRef } },
    },
  },
};
let validateSpec: ValidateFunction | undefined;

/**
 * Reads every Contract in scope: the envelope, the spec's fields, each AsyncAPI/OpenAPI document against
 * its meta-schema, every `$ref`, every schema compiled. All problems come back together.
 */
export function loadContracts(documents: readonly ResourceDocument[], appId: string): { contracts: LoadedContract[]; documents?: ContractDocuments; problems: ResourceProblem[] } {
  const { resources, problems } = readMechaResources(documents, 'Contract', appId);
  if (resources.length === 0) return { contracts: [], problems };
  validateSpec ??= ajv.compile(SPEC_SCHEMA);
  const docs = new ContractDocuments();
  const compiler = new SchemaCompiler(docs);
  const contracts: LoadedContract[] = [];
  for (const r of resources) {
    const spec = r.spec;
    const before = problems.length + docs.problems.length;
    // A field error skips only the part it is in: the other parts are still read, so every problem shows at once.
    const broken = new Set<string>();
    if (!validateSpec(spec)) {
      for (const e of validateSpec.errors ?? []) {
        problems.push({ ...r.at, ...describeAjvError(e, 'spec') });
        broken.add(e.instancePath.split('/')[1] ?? '');
      }
    }
    const readable = (part: string) => spec[part] !== undefined && !broken.has(part);
    if (spec.openapi !== undefined && spec.appId === undefined) problems.push({ ...r.at, field: 'spec.appId', message: 'is required with spec.openapi: the app whose methods the document describes' });
    const parts = ['asyncapi', 'openapi', 'topics', 'bindings'].filter((p) => spec[p] !== undefined);
    if (parts.length === 0) problems.push({ ...r.at, field: 'spec', message: 'needs at least one of asyncapi, openapi, topics, bindings' });
    const contract: LoadedContract = { name: r.name, enforce: (spec.enforce as Enforce | undefined) ?? 'reject', parts, topics: [], bindings: [] };
    const asyncapi = readable('asyncapi') ? readPart(docs, r, 'asyncapi') : undefined;
    if (asyncapi) contract.topics.push(...asyncApiTopics(docs, compiler, asyncapi.uri, asyncapi.version));
    const openapi = readable('openapi') ? readPart(docs, r, 'openapi') : undefined;
    if (openapi && typeof spec.appId === 'string') {
      const operations = openApiOperations(docs, compiler, openapi.uri, openapi.version.startsWith('3.0') ? 'draft-07' : '2020-12');
      contract.openapi = { appId: spec.appId, root: openapi.uri, operations };
    }
    (readable('topics') ? (spec.topics as Array<Record<string, unknown>>) : []).forEach((t, i) => {
      const field = `spec.topics[${i}].schema`;
      const at = { uri: docs.addInline(r.doc.file, r.doc.index, field, r.name, t.schema), pointer: '' };
      const check = compiler.compile(at, '2020-12');
      if (check) contract.topics.push({ pubsubName: t.pubsubname as string, topic: t.topic as string, directions: ['publish', 'subscribe'], messages: [r.name], check, schemas: [at] });
    });
    (readable('bindings') ? (spec.bindings as Array<Record<string, unknown>>) : []).forEach((b, i) => {
      const field = `spec.bindings[${i}].schema`;
      const check = compiler.compile({ uri: docs.addInline(r.doc.file, r.doc.index, field, r.name, b.schema), pointer: '' }, '2020-12');
      if (check) contract.bindings.push({ name: b.name as string, operation: b.operation as string | undefined, check });
    });
    // A contract with any problem never runs (its load fails as a whole anyway).
    if (problems.length + docs.problems.length === before) contracts.push(contract);
  }
  problems.push(...docs.problems);
  return { contracts, documents: docs, problems };
}

/** `spec.asyncapi` / `spec.openapi`: read (inline or from its file), its version known, checked against its meta-schema. */
function readPart(docs: ContractDocuments, r: MechaResource, part: 'asyncapi' | 'openapi'): { uri: string; version: string } | undefined {
  const value = r.spec[part] as Record<string, unknown>;
  const field = `spec.${part}`;
  const fromFile = typeof value.file === 'string' && Object.keys(value).length === 1;
  const uri = fromFile ? docs.addFile(r.doc.file, r.doc.index, field, value.file as string) : docs.addInline(r.doc.file, r.doc.index, field, r.name, value);
  if (!uri) return undefined;
  const document = docs.get({ uri, pointer: '' });
  const at = { uri, pointer: '' };
  if (!isObj(document)) return void docs.problem(at, `must be an ${part === 'asyncapi' ? 'AsyncAPI' : 'OpenAPI'} document (a mapping)`);
  const version = String(document[part] ?? '');
  const kind = documentKind(part, version);
  if (!kind) {
    const supported = part === 'asyncapi' ? '2.6.0 or 3.0.0' : '3.0.x or 3.1.x';
    return void docs.problem({ uri, pointer: `/${part}` }, `version ${JSON.stringify(document[part] ?? null)} is not supported (${supported})`);
  }
  const violations = checkDocument(kind, document);
  for (const v of violations) docs.problem({ uri, pointer: v.pointer }, v.message);
  return violations.length > 0 ? undefined : { uri, version };
}

function documentKind(part: 'asyncapi' | 'openapi', version: string): DocumentKind | undefined {
  if (part === 'asyncapi') return version === '2.6.0' ? 'asyncapi-2.6' : version === '3.0.0' ? 'asyncapi-3.0' : undefined;
  return /^3\.0\.\d+$/.test(version) ? 'openapi-3.0' : /^3\.1\.\d+$/.test(version) ? 'openapi-3.1' : undefined;
}
