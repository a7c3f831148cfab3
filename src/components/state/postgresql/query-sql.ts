import type { QueryFilter, StateQuery } from '../../../contracts/state.js';

const RANGE = { GT: '>', GTE: '>=', LT: '<', LTE: '<=' } as const;

/**
 * A query as one parameterised SELECT over the jsonb values, with the semantics StateQuery defines:
 * jsonb equality (typed, numbers by value), range comparisons only between values of one JSON type
 * (strings in the "C" collation, i.e. by code point, whatever the database's collation), a missing
 * field matching nothing, and a sort that ranks numbers, strings, booleans, then the rest. Only live,
 * non-binary rows under the app's key prefix are seen.
 */
export function queryToSql(table: string, live: string, q: StateQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const at = (path: string) => `(value #> ${param(path.split('.'))}::text[])`;

  const where = (f: QueryFilter): string => {
    switch (f.op) {
      case 'AND':
      case 'OR':
        return `(${f.filters.map(where).join(` ${f.op} `)})`;
      case 'IN':
        return `${at(f.path)} = ANY(${param(f.values.map((v) => JSON.stringify(v)))}::jsonb[])`;
      case 'EQ':
        return `${at(f.path)} = ${param(JSON.stringify(f.value))}::jsonb`;
      case 'NEQ':
        return `${at(f.path)} <> ${param(JSON.stringify(f.value))}::jsonb`;
      default: {
        const field = at(f.path);
        const kind = typeof f.value;
        const type = `jsonb_typeof(${field}) = '${kind === 'string' ? 'string' : kind === 'number' ? 'number' : 'boolean'}'`;
        if (typeof f.value === 'string') return `(${type} AND (${field} #>> '{}') COLLATE "C" ${RANGE[f.op]} ${param(f.value)}::text)`;
        return `(${type} AND ${field} ${RANGE[f.op]} ${param(JSON.stringify(f.value))}::jsonb)`;
      }
    }
  };

  const conditions = [live, 'isbinary = false', `starts_with(key, ${param(q.keyPrefix)}::text)`];
  if (q.filter) conditions.push(where(q.filter));
  const order = q.sort.flatMap(({ path, order: dir }) => {
    const field = at(path);
    return [
      `(CASE jsonb_typeof(${field}) WHEN 'number' THEN 1 WHEN 'string' THEN 2 WHEN 'boolean' THEN 3 ELSE 4 END) ${dir}`,
      `(CASE WHEN jsonb_typeof(${field}) IN ('number', 'boolean') THEN ${field} END) ${dir}`,
      `(CASE WHEN jsonb_typeof(${field}) = 'string' THEN ${field} #>> '{}' END) COLLATE "C" ${dir}`,
    ];
  });
  order.push('key COLLATE "C" ASC');
  const limit = q.limit > 0 ? ` LIMIT ${param(q.limit)}` : '';
  const sql = `SELECT key, value::text AS value, isbinary, xmin::text AS etag, expiredate FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY ${order.join(', ')}${limit} OFFSET ${param(q.offset)}`;
  return { sql, params };
}
