/**
 * JSON helpers safe on any nesting depth. V8's JSON.parse is iterative, but JSON.stringify and any
 * recursive walk overflow the stack a few thousand levels down, which a request body can reach.
 */

/** daprd's limit (Go's encoding/json): more than 10,000 nested arrays/objects is a syntax error. */
export const MAX_JSON_DEPTH = 10_000;

/**
 * The bracket that takes `text` past `limit` nested levels, or undefined when it stays within it.
 * A linear scan that skips string contents; it does not validate the text (JSON.parse does).
 */
export function depthExceededAt(text: string, limit = MAX_JSON_DEPTH): '[' | '{' | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return c === 0x5b ? '[' : '{';
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

/** Go's message for a body nested too deep (daprd answers it as ERR_MALFORMED_REQUEST). */
export function depthMessage(bracket: '[' | '{'): string {
  return `invalid character '${bracket}' exceeded max depth`;
}

/**
 * JSON.stringify for values that came from JSON.parse (null, booleans, numbers, strings, arrays, plain
 * objects), without recursion. `sortKeys` orders object keys as Go's encoding/json writes maps.
 */
export function stringifyJson(value: unknown, o: { sortKeys?: boolean } = {}): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  try {
    return stringifyNested(value, o.sortKeys === true, RECURSION_BUDGET);
  } catch (err) {
    if (err !== TOO_DEEP) throw err;
    return stringifyIteratively(value, o);
  }
}

/** Levels written by plain recursion (fast, no work list); deeper values take the iterative path. */
const RECURSION_BUDGET = 64;
const TOO_DEEP = Symbol('too deep');

function stringifyNested(v: unknown, sortKeys: boolean, budget: number): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (budget === 0) throw TOO_DEEP;
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i > 0 ? ',' : '') + stringifyNested(v[i] === undefined ? null : v[i], sortKeys, budget - 1);
    return `${s}]`;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (sortKeys) keys.sort();
  let s = '{';
  for (const k of keys) {
    if (obj[k] === undefined) continue;
    s += `${s.length > 1 ? ',' : ''}${JSON.stringify(k)}:${stringifyNested(obj[k], sortKeys, budget - 1)}`;
  }
  return `${s}}`;
}

function stringifyIteratively(value: unknown, o: { sortKeys?: boolean }): string {
  const out: string[] = [];
  // Work items: a literal to write, or a value to encode; pushed in reverse so they pop in order.
  const stack: Array<string | { v: unknown }> = [{ v: value }];
  while (stack.length > 0) {
    const item = stack.pop() as string | { v: unknown };
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const v = item.v;
    if (Array.isArray(v)) {
      out.push('[');
      stack.push(']');
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ v: v[i] === undefined ? null : v[i] });
        if (i > 0) stack.push(',');
      }
    } else if (v !== null && typeof v === 'object') {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
      if (o.sortKeys) keys.sort();
      out.push('{');
      stack.push('}');
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ v: obj[keys[i]] }, `${JSON.stringify(keys[i])}:`);
        if (i > 0) stack.push(',');
      }
    } else {
      out.push(JSON.stringify(v) ?? 'null');
    }
  }
  return out.join('');
}
