import { Errors } from '../../errors/codes.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import { depthExceededAt, depthMessage } from '../../util/json-text.js';

export type Query = Record<string, string | string[] | undefined>;

/** `metadata.<name>=<value>` query parameters, prefix removed, first value wins, case kept (daprd's rule). */
export function queryMetadata(query: Query): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!name.startsWith('metadata.') || value === undefined) continue;
    out[name.slice('metadata.'.length)] = Array.isArray(value) ? value[0] : value;
  }
  return out;
}

/** The first value of a query parameter or a header (repeated ones come as an array). */
export function firstValue(values: Query, name: string): string | undefined {
  const v = values[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A JSON `null` body as Go decodes it into a request struct: the empty request. */
export function nullAsEmpty(json: unknown): unknown {
  return json === null ? {} : json;
}

/** Parses a JSON request body; anything else (or one nested deeper than daprd's limit) is a 400 ERR_MALFORMED_REQUEST. */
export function parseJsonBody(body: unknown): unknown {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (text.trim() === '') throw malformed('request body is empty; expected JSON');
  const tooDeep = depthExceededAt(text);
  if (tooDeep) throw malformed(`failed deserializing HTTP body: ${depthMessage(tooDeep)}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw malformed(`failed deserializing HTTP body: ${(err as Error).message}`);
  }
}

export function malformed(message: string): SidecarError {
  return new SidecarError(Errors.MalformedRequest, message);
}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a field the way Go's encoding/json matches it: the exact name first, else a case-insensitive
 * match (SDKs rely on it: the JS SDK sends `entryID`).
 */
export function field(obj: JsonObject, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

export function optionalString(obj: JsonObject, name: string, path: string): string | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw malformed(`${path}.${name} must be a string, got ${typeName(v)}`);
  return v;
}

/** A `map[string]string` field: like Go's decoder (daprd), a value that is not a string (`"ttlInSeconds": 60`) is refused. */
export function optionalStringMap(obj: JsonObject, name: string, path: string): Record<string, string> | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw malformed(`${path}.${name} must be an object of strings, got ${typeName(v)}`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null) continue;
    if (typeof val !== 'string') throw malformed(`${path}.${name}.${k} must be a string, got ${typeName(val)}`);
    out[k] = val;
  }
  return out;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
