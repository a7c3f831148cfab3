/**
 * The comparable form of an answer body: JSON reduced to its keys and value types, with the values of a
 * few keys that carry meaning rather than data (error codes, detail types and reasons) kept as they are.
 * Arrays become the sorted set of their element shapes, so lengths and order of volatile lists do not count.
 */
const KEPT_VALUES = new Set(['errorCode', '@type', 'reason', 'domain']);
/** Free-form members of error details, left out like messages are: ErrorInfo's metadata map. */
const FREE_FORM: Record<string, string> = { 'type.googleapis.com/google.rpc.ErrorInfo': 'metadata' };

export function shapeOf(value: unknown, key?: string): unknown {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) {
    const shapes = new Map<string, unknown>();
    for (const item of value) {
      const s = shapeOf(item);
      shapes.set(JSON.stringify(s), s);
    }
    return [...shapes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const free = FREE_FORM[(value as Record<string, unknown>)['@type'] as string];
    for (const k of Object.keys(value as object).sort()) if (k !== free) out[k] = shapeOf((value as Record<string, unknown>)[k], k);
    return out;
  }
  if (key !== undefined && KEPT_VALUES.has(key) && typeof value === 'string') return value;
  return typeof value;
}

/** Same JSON text for equal values whatever their key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The metadata answer's `extended` map (gRPC `extended_metadata`) is free-form: apps add attributes to it
 * and Mecha reports more (e.g. `hotReload`). An attribute daprd does not have is left out of the
 * comparison; daprd's own attributes must still be there, with the same shape.
 */
const OPEN_MAPS = new Set(['extended', 'extended_metadata']);

export function withoutAddedAttributes(actual: unknown, expected: unknown): unknown {
  if (!actual || !expected || typeof actual !== 'object' || typeof expected !== 'object' || Array.isArray(actual)) return actual;
  const exp = expected as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(actual as Record<string, unknown>)) {
    const e = exp[k];
    if (OPEN_MAPS.has(k) && e && typeof e === 'object' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as object).filter(([attr]) => attr in (e as object)));
    } else out[k] = withoutAddedAttributes(v, e);
  }
  return out;
}
