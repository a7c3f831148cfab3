import type { QueryFilter, QueryScalar, StateQuery } from '../../../contracts/state.js';

const RANGE = { GT: '>', GTE: '>=', LT: '<', LTE: '<=' } as const;
/** The value as JSON, or NULL when the text is not JSON (so json_* functions never fail on it). */
const DOC = '(CASE WHEN json_valid(value) THEN value END)';

/** SQLite's json_type names for one JSON type. */
function typesOf(v: QueryScalar): string {
  if (v === null) return `('null')`;
  if (typeof v === 'boolean') return `('${v}')`;
  return typeof v === 'number' ? `('integer', 'real')` : `('text')`;
}

/**
 * A query as one SELECT with SQLite's JSON functions, with the semantics StateQuery defines (typed
 * equality, range comparisons within one JSON type, strings by code point, a missing field matching
 * nothing; numbers, strings, booleans, then the rest when sorting). Only live, non-binary rows under
 * the app's key prefix are seen.
 */
export function queryToSql(table: string, live: string, q: StateQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(typeof v === 'boolean' ? Number(v) : v);
    return '?';
  };
  // Positional parameters: each use of a path binds it again, in the order the SQL text reads.
  const type = (path: string) => `json_type(${DOC}, ${param(jsonPath(path))})`;
  const extract = (path: string) => `json_extract(${DOC}, ${param(jsonPath(path))})`;
  const eq = (path: string, v: QueryScalar) =>
    v === null || typeof v === 'boolean' ? `(${type(path)} IN ${typesOf(v)})` : `(${type(path)} IN ${typesOf(v)} AND ${extract(path)} = ${param(v)})`;

  const where = (f: QueryFilter): string => {
    switch (f.op) {
      case 'AND':
      case 'OR':
        return `(${f.filters.map(where).join(` ${f.op} `)})`;
      case 'IN':
        return `(${f.values.map((v) => eq(f.path, v)).join(' OR ')})`;
      case 'EQ':
        return eq(f.path, f.value);
      case 'NEQ':
        return `(${type(f.path)} IS NOT NULL AND NOT ${eq(f.path, f.value)})`;
      default: {
        const types = typeof f.value === 'boolean' ? `('true', 'false')` : typesOf(f.value);
        return `(${type(f.path)} IN ${types} AND ${extract(f.path)} ${RANGE[f.op]} ${param(f.value)})`;
      }
    }
  };

  const conditions = [live, 'is_binary = 0', `substr(key, 1, ${param([...q.keyPrefix].length)}) = ${param(q.keyPrefix)}`];
  if (q.filter) conditions.push(where(q.filter));
  const order = q.sort.flatMap(({ path, order: dir }) => [
    `(CASE ${type(path)} WHEN 'integer' THEN 1 WHEN 'real' THEN 1 WHEN 'text' THEN 2 WHEN 'true' THEN 3 WHEN 'false' THEN 3 ELSE 4 END) ${dir}`,
    `(CASE WHEN ${type(path)} IN ('integer', 'real', 'text', 'true', 'false') THEN ${extract(path)} END) ${dir}`,
  ]);
  order.push('key ASC');
  const sql = `SELECT key, value, etag FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ${param(q.limit > 0 ? q.limit : -1)} OFFSET ${param(q.offset)}`;
  return { sql, params };
}

/** `a.b` as SQLite's JSON path `$."a"."b"` (paths never hold quotes: the parser refuses them). */
const jsonPath = (path: string) => `$${path.split('.').map((p) => `."${p}"`).join('')}`;
