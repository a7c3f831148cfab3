// Loaded with require, only when a Contract exists: the ajv dialects, formats and the AsyncAPI/OpenAPI
// meta-schemas cost startup time and memory a sidecar without contracts never pays (the bundle is
// CommonJS and leaves these packages in node_modules).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv as AjvInstance, AnySchema, ErrorObject, Options, ValidateFunction } from 'ajv';
import type { Violation } from '../core/contract-gate.js';
import { packageFile } from '../util/package-files.js';
import type { ContractDocuments, Location } from './contract-documents.js';
import META from './meta-schemas.json' with { type: 'json' };

interface MetaEntry {
  dialect: string;
  file: string;
  replace?: string[];
}

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
  /** One ajv per dialect, and the documents registered with it (by URI: compiling a document is left to `$ref`s). */
  readonly #ajv = new Map<Dialect, { ajv: AjvInstance; added: Set<string> }>();

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
    let entry = this.#ajv.get(dialect);
    if (!entry) this.#ajv.set(dialect, (entry = { ajv: ajvOf(dialect), added: new Set() }));
    for (const [uri, doc] of this.documents.docs) {
      if (typeof doc !== 'object' || doc === null || entry.added.has(uri)) continue;
      entry.ajv.addSchema(doc as AnySchema, uri);
      entry.added.add(uri);
    }
    return entry.ajv;
  }
}

export type DocumentKind = keyof typeof META;

const metaValidators = new Map<DocumentKind, ValidateFunction>();

/** Every violation of a document against its meta-schema (loaded on first use, then kept for the process). */
export function checkDocument(kind: DocumentKind, doc: unknown): Violation[] {
  let validate = metaValidators.get(kind);
  if (!validate) metaValidators.set(kind, (validate = metaValidator(kind)));
  if (validate(doc)) return [];
  return deepest(violationsOf(validate.errors));
}

/**
 * The validator the build compiled (scripts/contract-meta.mjs: dist/bundle/contract-meta/), else the
 * meta-schema compiled here, which takes a second or more for AsyncAPI 3.0. The OpenAPI 3.1 meta-schema
 * marks Schema Objects with `$dynamicRef: "#meta"`, which ajv resolves to the wrong place: meta-schemas.json
 * rewrites it into the plain `$ref` it means (any object or boolean).
 */
function metaValidator(kind: DocumentKind): ValidateFunction {
  const built = packageFile('dist', 'bundle', 'contract-meta', `${kind}.cjs`);
  if (existsSync(built)) {
    const module = load(built) as ValidateFunction | { default: ValidateFunction };
    return 'default' in module ? module.default : module;
  }
  const entry: MetaEntry = META[kind];
  let text = JSON.stringify(load(entry.file));
  if (entry.replace) text = text.replaceAll(entry.replace[0], entry.replace[1]);
  return ajvOf(entry.dialect as Dialect | 'draft-04', { ...OPTIONS, code: { optimize: false } }).compile(JSON.parse(text) as AnySchema);
}

/**
 * A meta-schema's alternatives (oneOf: a Reference or a Message…) each report their own errors; the ones
 * deepest in the document say what is wrong, the ones above them only that an alternative failed.
 */
function deepest(violations: Violation[]): Violation[] {
  const kept = violations.filter((v) => !violations.some((o) => o.pointer !== v.pointer && o.pointer.startsWith(`${v.pointer}/`)));
  return kept.slice(0, 10);
}
