import type { QueryFilter, QueryResult, StateQuery } from '../../contracts/state.js';

type Json = unknown;

/** The value at a dotted path (daprd's optional `value.` prefix skipped); undefined when absent. */
export function valueAt(doc: Json, path: string): Json {
  const parts = path.split('.');
  let cur: Json = doc;
  for (const p of parts[0] === 'value' && parts.length > 1 ? parts.slice(1) : parts) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, Json>)[p];
  }
  return cur;
}

function compare(a: Json, b: Json): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function matches(doc: Json, f: QueryFilter): boolean {
  switch (f.op) {
    case 'AND':
      return f.filters.every((x) => matches(doc, x));
    case 'OR':
      return f.filters.some((x) => matches(doc, x));
    case 'IN':
      return f.values.some((v) => valueAt(doc, f.path) === v);
    default: {
      const v = valueAt(doc, f.path);
      if (f.op === 'EQ') return v === f.value;
      if (f.op === 'NEQ') return v !== f.value;
      if (v === undefined || v === null || typeof v === 'object') return false;
      const c = compare(v, f.value);
      return f.op === 'GT' ? c > 0 : f.op === 'GTE' ? c >= 0 : f.op === 'LT' ? c < 0 : c <= 0;
    }
  }
}

/**
 * Evaluates a query over items held in memory: JSON values only (binary ones never match), sorted by
 * the sort keys then the key, paged by offset.
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
      const c = compare(valueAt(a.doc, s.path) ?? '', valueAt(b.doc, s.path) ?? '');
      if (c !== 0) return s.order === 'DESC' ? -c : c;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  const page = q.limit > 0 ? found.slice(q.offset, q.offset + q.limit) : found.slice(q.offset);
  const more = q.limit > 0 && q.offset + q.limit < found.length;
  return { results: page.map(({ key, data, etag }) => ({ key, data, etag })), token: more ? String(q.offset + q.limit) : undefined };
}
