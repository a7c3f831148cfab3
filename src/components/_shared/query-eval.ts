import type { QueryFilter, QueryResult, QueryScalar, StateQuery } from '../../contracts/state.js';

type Json = unknown;
const MISSING = Symbol('missing');

/** The value at a dotted path into a JSON document, or MISSING. */
function valueAt(doc: Json, path: string): Json | typeof MISSING {
  let cur: Json = doc;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, part)) return MISSING;
    cur = (cur as Record<string, Json>)[part];
  }
  return cur;
}

const isScalar = (v: unknown): v is QueryScalar => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Same JSON type and value (numbers by value, so 5 equals 5.0). */
const sameValue = (a: Json, b: QueryScalar) => isScalar(a) && typeof a === typeof b && a === b;

/** Code-point order, the order PostgreSQL's "C" collation and SQLite's BINARY give UTF-8 text. */
function compareStrings(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Compares two values of one JSON type; undefined when the types differ or are not ordered. */
function compareSameType(a: Json, b: Json): number | undefined {
  if (typeof a !== typeof b) return undefined;
  if (typeof a === 'number') return a - (b as number);
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b);
  return undefined;
}

export function matches(doc: Json, f: QueryFilter): boolean {
  switch (f.op) {
    case 'AND':
      return f.filters.every((x) => matches(doc, x));
    case 'OR':
      return f.filters.some((x) => matches(doc, x));
  }
  const v = valueAt(doc, f.path);
  if (v === MISSING) return false;
  switch (f.op) {
    case 'IN':
      return f.values.some((x) => sameValue(v, x));
    case 'EQ':
      return sameValue(v, f.value);
    case 'NEQ':
      return !sameValue(v, f.value);
  }
  const c = compareSameType(v, f.value);
  if (c === undefined) return false;
  return f.op === 'GT' ? c > 0 : f.op === 'GTE' ? c >= 0 : f.op === 'LT' ? c < 0 : c <= 0;
}

/** Sort rank of a value: numbers, strings, booleans, then everything else (null, objects, missing). */
function rank(v: Json | typeof MISSING): number {
  return typeof v === 'number' ? 1 : typeof v === 'string' ? 2 : typeof v === 'boolean' ? 3 : 4;
}

function compareForSort(a: Json | typeof MISSING, b: Json | typeof MISSING): number {
  return rank(a) - rank(b) || compareSameType(a, b) || 0;
}

/**
 * Evaluates a query over items held in memory, with the semantics every store shares (see
 * StateQuery): JSON values under the key prefix only, sorted by the sort paths then by key, one page.
 */
export function evaluateQuery(items: Iterable<{ key: string; data: Buffer; etag?: string }>, q: StateQuery): QueryResult {
  const found: Array<{ key: string; data: Buffer; etag?: string; doc: Json }> = [];
  for (const item of items) {
    if (!item.key.startsWith(q.keyPrefix)) continue;
    let doc: Json;
    try {
      doc = JSON.parse(item.data.toString('utf8'));
    } catch {
      continue;
    }
    if (!q.filter || matches(doc, q.filter)) found.push({ ...item, doc });
  }
  found.sort((a, b) => {
    for (const s of q.sort) {
      const c = compareForSort(valueAt(a.doc, s.path), valueAt(b.doc, s.path));
      if (c !== 0) return s.order === 'DESC' ? -c : c;
    }
    return compareStrings(a.key, b.key);
  });
  const page = found.slice(q.offset, q.limit > 0 ? q.offset + q.limit : undefined);
  return { results: page.map(({ key, data, etag }) => ({ key, data, etag })) };
}
