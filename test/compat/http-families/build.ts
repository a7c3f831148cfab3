import type { HttpCase } from '../types.js';

/** Every combination of the given lists, in order (the first list varies slowest). */
export function product<T extends unknown[]>(...lists: { [K in keyof T]: readonly T[K][] }): T[] {
  let out: unknown[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((item) => [...prefix, item]));
  return out as T[];
}

export const JSON_TYPE = { 'content-type': 'application/json' };

/** A JSON request: the body is serialised unless it is already text. */
export function jsonCase(id: string, method: string, path: string, body: unknown, headers: Record<string, string> = JSON_TYPE): HttpCase {
  return { id, method, path, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** Bodies that no JSON endpoint should accept, or that test the edges of its decoder. */
export const MALFORMED_BODIES: ReadonlyArray<readonly [string, string]> = [
  ['empty', ''],
  ['not-json', 'hello'],
  ['truncated', '{"a":'],
  ['bad-escape', '{"a":"\\x41"}'],
  ['bad-unicode-escape', '{"a":"\\u12"}'],
  ['trailing-garbage', '{} x'],
  ['two-documents', '{}{}'],
  ['raw-control-char', '{"a":"\u0001"}'],
  ['single-quotes', "{'a':1}"],
  ['trailing-comma', '[{"key":"k","value":1},]'],
  ['deep-array', '['.repeat(12_000) + ']'.repeat(12_000)],
  ['deep-object', '{"a":'.repeat(12_000) + '1' + '}'.repeat(12_000)],
  ['huge-number', '1e400'],
  ['null', 'null'],
  ['string', '"text"'],
  ['number', '42'],
  ['boolean', 'true'],
  ['empty-object', '{}'],
  ['empty-array', '[]'],
  ['bom', '\ufeff{}'],
];

/** Content types an app may send, including wrong and odd ones. */
export const CONTENT_TYPES: ReadonlyArray<readonly [string, string | undefined]> = [
  ['json', 'application/json'],
  ['json-charset', 'application/json; charset=utf-8'],
  ['text', 'text/plain'],
  ['octet', 'application/octet-stream'],
  ['none', undefined],
  ['form', 'application/x-www-form-urlencoded'],
  ['multipart', 'multipart/form-data; boundary=x'],
  ['odd', 'x/y/z;;'],
];

export function withType(type: string | undefined): Record<string, string> {
  return type === undefined ? {} : { 'content-type': type };
}
