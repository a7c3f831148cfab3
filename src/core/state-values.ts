import type { StateValue } from '../contracts/state.js';
import { stringifyJson } from '../util/json-text.js';

/** The characters Go's encoding/json escapes in strings (most values hold none: test before replacing). */
const GO_ESCAPED = /[<>&\u2028\u2029]/;
const GO_ESCAPED_ALL = new RegExp(GO_ESCAPED.source, 'g');

/**
 * Encodes a JSON value from an HTTP request the way daprd stores it (Go's encoding/json): object keys
 * sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. The escapes are safe to apply to the whole text
 * because those characters can only occur inside JSON strings.
 */
export function encodeJsonValue(value: unknown): StateValue {
  const text = stringifyJson(value, { sortKeys: true });
  const escaped = GO_ESCAPED.test(text) ? text.replace(GO_ESCAPED_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
  return { data: Buffer.from(escaped, 'utf8'), binary: false };
}

/** Raw bytes (from gRPC) are kept as they are. */
export function rawValue(data: Uint8Array): StateValue {
  return { data: Buffer.from(data), binary: true };
}
