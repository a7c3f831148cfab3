import { createHash } from 'node:crypto';
import { AslError, StatesError } from '../errors.js';
import { evaluatePath, isObject } from '../paths.js';
import type { ContextObject } from '../context.js';
import { parseIntrinsic, IntrinsicSyntaxError, type IntrinsicArg, type IntrinsicCall } from './parser.js';

/** Sources of nondeterminism, injected so that an executor replaying history gets the same values. */
export interface IntrinsicEnv {
  /** A number in [0, 1), like Math.random. */
  random?: () => number;
  /** A fresh version 4 UUID. */
  uuid?: () => string;
}

/** One evaluated argument; `raw` is a string literal's text with its escapes, for States.Format. */
interface Arg {
  value: unknown;
  raw?: string;
}
type Fn = (args: Arg[], env: IntrinsicEnv, fail: (what: string) => never) => unknown;

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** The functions of the spec's "Intrinsic Functions" section, with their argument checks. */
const FUNCTIONS: Record<string, { arity: [number, number]; fn: Fn }> = {
  'States.Format': { arity: [1, Infinity], fn: format },
  'States.StringToJson': { arity: [1, 1], fn: ([s], _e, fail) => parseJson(str(s, 1, fail), fail) },
  'States.JsonToString': { arity: [1, 1], fn: ([v]) => JSON.stringify(v.value) },
  'States.Array': { arity: [0, Infinity], fn: (args) => args.map((a) => a.value) },
  'States.ArrayPartition': { arity: [2, 2], fn: ([a, n], _e, fail) => partition(arr(a, 1, fail), int(n, 2, fail, 1)) },
  'States.ArrayContains': { arity: [2, 2], fn: ([a, v], _e, fail) => arr(a, 1, fail).some((x) => jsonEqual(x, v.value)) },
  'States.ArrayRange': { arity: [3, 3], fn: ([s, e, st], _e, fail) => range(int(s, 1, fail), int(e, 2, fail), int(st, 3, fail), fail) },
  'States.ArrayGetItem': { arity: [2, 2], fn: ([a, i], _e, fail) => getItem(arr(a, 1, fail), int(i, 2, fail, 0), fail) },
  'States.ArrayLength': { arity: [1, 1], fn: ([a], _e, fail) => arr(a, 1, fail).length },
  'States.ArrayUnique': { arity: [1, 1], fn: ([a], _e, fail) => unique(arr(a, 1, fail)) },
  'States.Base64Encode': { arity: [1, 1], fn: ([s], _e, fail) => Buffer.from(str(s, 1, fail), 'utf8').toString('base64') },
  'States.Base64Decode': { arity: [1, 1], fn: ([s], _e, fail) => base64Decode(str(s, 1, fail), fail) },
  'States.Hash': { arity: [2, 2], fn: hash },
  'States.JsonMerge': { arity: [3, 3], fn: jsonMerge },
  'States.MathRandom': { arity: [2, 3], fn: mathRandom },
  'States.MathAdd': { arity: [2, 2], fn: ([a, b], _e, fail) => int(a, 1, fail) + int(b, 2, fail) },
  'States.StringSplit': { arity: [2, 2], fn: ([s, d], _e, fail) => split(str(s, 1, fail), str(d, 2, fail)) },
  'States.UUID': { arity: [0, 0], fn: (_a, env, fail) => (env.uuid ? env.uuid() : fail('no uuid source was provided to the evaluator')) },
};

/** The names of all intrinsic functions this library evaluates. */
export const INTRINSIC_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

/** Evaluates an intrinsic expression (text or parsed) against the state's data and the context object. */
export function evaluateIntrinsic(expression: string | IntrinsicCall, input: unknown, ctx?: ContextObject, env: IntrinsicEnv = {}): unknown {
  let call: IntrinsicCall;
  try {
    call = typeof expression === 'string' ? parseIntrinsic(expression) : expression;
  } catch (e) {
    if (e instanceof IntrinsicSyntaxError) throw new AslError(StatesError.IntrinsicFailure, e.message);
    throw e;
  }
  return evaluateCall(call, input, ctx, env);
}

function evaluateCall(call: IntrinsicCall, input: unknown, ctx: ContextObject | undefined, env: IntrinsicEnv): unknown {
  const def = FUNCTIONS[call.name];
  const fail = (what: string): never => {
    throw new AslError(StatesError.IntrinsicFailure, `${call.name}: ${what}`);
  };
  if (def === undefined) fail('is not a known intrinsic function');
  const [min, max] = def.arity;
  if (call.args.length < min || call.args.length > max) {
    fail(`takes ${min === max ? min : max === Infinity ? `at least ${min}` : `${min} to ${max}`} argument(s), got ${call.args.length}`);
  }
  const args = call.args.map((a, i) => evaluateArg(a, i + 1, input, ctx, env, fail));
  return def.fn(args, env, fail);
}

function evaluateArg(a: IntrinsicArg, n: number, input: unknown, ctx: ContextObject | undefined, env: IntrinsicEnv, fail: (w: string) => never): Arg {
  switch (a.kind) {
    case 'string':
      return { value: a.value, raw: a.raw };
    case 'number':
    case 'literal':
      return { value: a.value };
    case 'call':
      return { value: evaluateCall(a, input, ctx, env) };
    case 'path': {
      const value = evaluatePath(a.path, input, ctx);
      if (value === undefined) fail(`argument ${n}: the path "${a.path}" matched nothing`);
      return { value };
    }
  }
}

function str(a: Arg, n: number, fail: (w: string) => never): string {
  return typeof a.value === 'string' ? a.value : fail(`argument ${n} must be a string, got ${describe(a.value)}`);
}
function arr(a: Arg, n: number, fail: (w: string) => never): unknown[] {
  return Array.isArray(a.value) ? a.value : fail(`argument ${n} must be an array, got ${describe(a.value)}`);
}
function int(a: Arg, n: number, fail: (w: string) => never, min = -Infinity): number {
  if (typeof a.value !== 'number' || !Number.isInteger(a.value)) fail(`argument ${n} must be an integer, got ${describe(a.value)}`);
  if ((a.value as number) < min) fail(`argument ${n} must be at least ${min}, got ${a.value}`);
  return a.value as number;
}
function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

/** `{}` takes the next argument; `\{` and `\}` in a literal template stay braces. */
function format(args: Arg[], _env: IntrinsicEnv, fail: (w: string) => never): string {
  const [template, ...values] = args;
  const text = template.raw ?? str(template, 1, fail);
  let out = '';
  let next = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (template.raw !== undefined && c === '\\') out += text[++i];
    else if (c === '{' && text[i + 1] === '}') {
      if (next >= values.length) fail(`the template has more {} than the ${values.length} value(s) given`);
      const v = values[next++].value;
      if (v !== null && typeof v === 'object') fail(`argument ${next + 1} must be a string, number, boolean or null, got ${describe(v)}`);
      out += v === null ? 'null' : String(v);
      i++;
    } else out += c;
  }
  if (next !== values.length) fail(`the template has ${next} {} but ${values.length} value(s) were given`);
  return out;
}

function parseJson(s: string, fail: (w: string) => never): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return fail('argument 1 is not valid JSON text');
  }
}

function partition(a: unknown[], size: number): unknown[][] {
  const out: unknown[][] = [];
  for (let i = 0; i < a.length; i += size) out.push(a.slice(i, i + size));
  return out;
}

/** Both ends inclusive, as the spec's example `States.ArrayRange(1, 9, 2)` → [1,3,5,7,9] shows. */
const RANGE_LIMIT = 1000;
function range(start: number, end: number, step: number, fail: (w: string) => never): number[] {
  if (step === 0) fail('argument 3 (step) must not be 0');
  const count = Math.floor((end - start) / step) + 1;
  if (count > RANGE_LIMIT) fail(`the range would hold ${count} items, more than ${RANGE_LIMIT}`);
  return Array.from({ length: Math.max(0, count) }, (_, i) => start + i * step);
}

function getItem(a: unknown[], index: number, fail: (w: string) => never): unknown {
  return index < a.length ? a[index] : fail(`argument 2 (index ${index}) is out of range for an array of ${a.length}`);
}

function unique(a: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of a) if (!out.some((y) => jsonEqual(x, y))) out.push(x);
  return out;
}

function base64Decode(s: string, fail: (w: string) => never): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) fail('argument 1 is not base64 text');
  return Buffer.from(s, 'base64').toString('utf8');
}

function hash([data, algorithm]: Arg[], _env: IntrinsicEnv, fail: (w: string) => never): string {
  const name = HASHES[str(algorithm, 2, fail)];
  if (name === undefined) fail(`argument 2 must be one of ${Object.keys(HASHES).join(', ')}, got ${describe(algorithm.value)}`);
  return createHash(name).update(str(data, 1, fail), 'utf8').digest('hex');
}

/** Shallow merge only: the spec's third argument must be false (deep merge is not defined). */
function jsonMerge([a, b, deep]: Arg[], _env: IntrinsicEnv, fail: (w: string) => never): unknown {
  if (!isObject(a.value)) fail(`argument 1 must be an object, got ${describe(a.value)}`);
  if (!isObject(b.value)) fail(`argument 2 must be an object, got ${describe(b.value)}`);
  if (deep.value !== false) fail('argument 3 must be false: only a shallow merge is supported');
  return { ...(a.value as object), ...(b.value as object) };
}

/** An integer in [start, end); the optional seed is accepted but the injected source decides. */
function mathRandom([s, e, seed]: Arg[], env: IntrinsicEnv, fail: (w: string) => never): number {
  const start = int(s, 1, fail);
  const end = int(e, 2, fail);
  if (seed !== undefined) int(seed, 3, fail);
  if (end <= start) fail(`argument 2 (end ${end}) must be greater than argument 1 (start ${start})`);
  if (!env.random) fail('no random source was provided to the evaluator');
  return start + Math.floor(env.random() * (end - start));
}

/** Every character of the delimiter splits; empty pieces are dropped (spec example "This.is+a,test=string"). */
function split(s: string, delimiters: string): string[] {
  if (delimiters === '') return [s];
  return s.split('').reduce<string[]>((parts, c) => {
    if (delimiters.includes(c)) parts.push('');
    else parts[parts.length - 1] += c;
    return parts;
  }, ['']).filter((p) => p !== '');
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
