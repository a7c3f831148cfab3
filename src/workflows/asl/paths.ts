import { query, type JsonValue } from 'jsonpath-rfc9535';
import parseJsonPath from 'jsonpath-rfc9535/parser';
import { AslError, StatesError } from './errors.js';
import type { ContextObject } from './context.js';

/**
 * ASL Paths (spec: "Paths", "Reference Paths") on top of jsonpath-rfc9535: a complete RFC 9535
 * parser and evaluator with no dependencies and no `eval` (filters are interpreted from its AST).
 * A path starting with `$$` reads the context object instead of the state's data.
 */

type Ast = ReturnType<typeof parseJsonPath>;
type Segment = Ast['segments'][number];

/** One step of a definite path: an object member or an array index. */
export type PathStep = string | number;

interface Parsed {
  ast: Ast;
  /** The path as RFC 9535 text: `$$` read as `$`, Jayway-style member names bracketed. */
  rfc: string;
}

const cache = new Map<string, Parsed | null>();
const CACHE_LIMIT = 2000;

/** The parsed path, or null when it does not parse. Cached: definitions repeat their paths. */
function parsePath(path: string): Parsed | null {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  let parsed: Parsed | null = null;
  if (typeof path === 'string' && path.startsWith('$')) {
    const rfc = bracketJaywayNames(stripContext(path));
    try {
      parsed = { ast: parseJsonPath(rfc), rfc };
    } catch {
      parsed = null;
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(path, parsed);
  return parsed;
}

const SHORTHAND = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/;
const NAME_END = /[\s.*[\]()'",=<>!&|]/;

/**
 * ASL paths are Jayway JSONPath, whose dot notation takes names RFC 9535 shorthand does not, such as
 * `$.error-info` in the spec's own examples. Such a name is rewritten as `['error-info']`; quoted
 * text is left alone, and a name starting with a digit is not touched (it may be a number like 1.5).
 */
function bracketJaywayNames(path: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (quote !== undefined) {
      out += c;
      if (c === '\\') out += path[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    if (c !== '.') {
      out += c;
      continue;
    }
    const dots = path[i + 1] === '.' ? '..' : '.';
    let end = i + dots.length;
    while (end < path.length && !NAME_END.test(path[end])) end++;
    const name = path.slice(i + dots.length, end);
    if (name === '' || name === '*' || SHORTHAND.test(name) || /^\d/.test(name)) {
      out += dots;
      i += dots.length - 1;
    } else {
      out += `${dots === '..' ? '..' : ''}['${name.replace(/['\\]/g, '\\$&')}']`;
      i = end - 1;
    }
  }
  return out;
}

/** True when the path starts with `$$` and so reads the context object. */
export function isContextPath(path: string): boolean {
  return path.startsWith('$$');
}

function stripContext(path: string): string {
  return isContextPath(path) ? path.slice(1) : path;
}

/** Whether `path` is a Path: `$` or `$$` followed by valid JSONPath segments. */
export function isValidPath(path: unknown): path is string {
  return typeof path === 'string' && parsePath(path) !== null;
}

/**
 * The member and index steps of a definite path (RFC 9535 "singular query"), or undefined when it is
 * not one. A negative index (from the end) reads fine but cannot be written, hence `writable`.
 */
export function referenceSteps(path: string, writable = true): PathStep[] | undefined {
  const parsed = parsePath(path);
  if (parsed === null) return undefined;
  const steps: PathStep[] = [];
  for (const seg of parsed.ast.segments) {
    const step = singularStep(seg);
    if (step === undefined || (writable && typeof step === 'number' && step < 0)) return undefined;
    steps.push(step);
  }
  return steps;
}

function singularStep(seg: Segment): PathStep | undefined {
  if (seg.type !== 'ChildSegment') return undefined;
  const node = seg.node;
  if (node.type === 'MemberNameShorthand') return node.value;
  if (node.type !== 'BracketedSelection' || node.selectors.length !== 1) return undefined;
  const sel = node.selectors[0];
  if (sel.type === 'NameSelector') return sel.value;
  if (sel.type === 'IndexSelector') return sel.value;
  return undefined;
}

/**
 * Whether `path` is a Reference Path: one that can only name a single node (no `..`, `*`, `?`, `:`,
 * `,`, negative index). `allowContext` admits `$$` paths, which are readable but never writable.
 */
export function isReferencePath(path: unknown, opts: { allowContext?: boolean } = {}): path is string {
  if (typeof path !== 'string') return false;
  if (isContextPath(path) && !opts.allowContext) return false;
  return referenceSteps(path) !== undefined;
}

/**
 * Applies a path. A definite path yields the node itself, or undefined when nothing is there (JSON has
 * no undefined, so that is unambiguous); any other path yields the array of matched nodes.
 */
export function evaluatePath(path: string, data: unknown, ctx?: ContextObject): unknown {
  const parsed = parsePath(path);
  if (parsed === null) throw new AslError(StatesError.Runtime, `invalid path "${path}"`);
  const source = isContextPath(path) ? ctx : data;
  const steps = referenceSteps(path, false);
  if (steps !== undefined) return readSteps(source, steps);
  return query(source as JsonValue, parsed.rfc);
}

function readSteps(data: unknown, steps: PathStep[]): unknown {
  let node = data;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(node)) return undefined;
      const index = step < 0 ? node.length + step : step;
      if (index < 0 || index >= node.length) return undefined;
      node = node[index];
    } else {
      if (!isObject(node) || !Object.hasOwn(node, step)) return undefined;
      node = node[step];
    }
  }
  return node;
}

/** Applies a path that must match: otherwise throws `errorName` with a cause naming `field`. */
export function selectPath(path: string, data: unknown, ctx: ContextObject | undefined, errorName: string, field: string): unknown {
  const value = evaluatePath(path, data, ctx);
  if (value === undefined) {
    throw new AslError(errorName, `the ${field} path "${path}" could not be matched against ${isContextPath(path) ? 'the context object' : 'the input'}`);
  }
  return value;
}

/**
 * Returns a copy of `target` with `value` placed at the reference path (spec: "ResultPath"): missing
 * members are created, a node of the wrong kind on the way is States.ResultPathMatchFailure.
 */
export function writeReferencePath(target: unknown, path: string, value: unknown): unknown {
  const steps = isContextPath(path) ? undefined : referenceSteps(path);
  if (steps === undefined) throw new AslError(StatesError.ResultPathMatchFailure, `"${path}" is not a reference path`);
  if (steps.length === 0) return value;
  const root = structuredClone(target);
  let node: unknown = root;
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) throw mismatch(path, steps.slice(0, i));
      if (last) node[step] = value;
      else node = node[step];
      return;
    }
    if (!isObject(node)) throw mismatch(path, steps.slice(0, i));
    if (last) node[step] = value;
    else {
      if (!Object.hasOwn(node, step)) node[step] = {};
      node = node[step];
    }
  });
  return root;
}

function mismatch(path: string, reached: PathStep[]): AslError {
  const where = reached.length === 0 ? 'the input' : `the node at ${stepsToPath(reached)}`;
  return new AslError(StatesError.ResultPathMatchFailure, `unable to apply ResultPath "${path}": ${where} is not an object or has no such index`);
}

/** Renders steps back as a path, e.g. `$.a[0]`. */
export function stepsToPath(steps: PathStep[]): string {
  return `$${steps.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('')}`;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
