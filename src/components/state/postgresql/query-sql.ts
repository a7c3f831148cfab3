import type { QueryFilter, StateQuery } from '../../../contracts/state.js';

/** `a.b` (or daprd's `value.a.b`) as a PostgreSQL text[] path into the jsonb value. */
function pathOf(path: string): string[] {
  const parts = path.split('.');
  return parts[0] === 'value' && parts.length > 1 ? parts.slice(1) : parts;
}

const OPERATORS = { EQ: '=', NEQ: '<>', GT: '>', GTE: '>=', LT: '<', LTE: '<=' } as const;

/**
 * A query as one parameterised SELECT: comparisons on jsonb (numbers compare as numbers, strings as
 * strings), only live rows under the app's key prefix, sorted then by key, one row past the page so
 * the caller knows whether another page follows.
 */
export function queryToSql(table: string, live: string, q: StateQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = (f: QueryFilter): string => {
    switch (f.op) {
      case 'AND':
      case 'OR':
        return `(${f.filters.map(where).join(` ${f.op} `)})`;
      case 'IN':
        return `(value #> ${param(pathOf(f.path))}::text[]) = ANY(${param(f.values.map((v) => JSON.stringify(v)))}::jsonb[])`;
      default:
        return `(value #> ${param(pathOf(f.path))}::text[]) ${OPERATORS[f.op]} ${param(JSON.stringify(f.value))}::jsonb`;
    }
  };
  const conditions = [live, 'isbinary = false', `starts_with(key, ${param(q.keyPrefix)})`];
  if (q.filter) conditions.push(where(q.filter));
  const order = [...q.sort.map((s) => `(value #> ${param(pathOf(s.path))}::text[]) ${s.order}`), 'key ASC'].join(', ');
  const page = q.limit > 0 ? ` LIMIT ${param(q.limit + 1)}` : '';
  const sql = `SELECT key, value, isbinary, xmin::text AS etag, expiredate FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY ${order}${page} OFFSET ${param(q.offset)}`;
  return { sql, params };
}
