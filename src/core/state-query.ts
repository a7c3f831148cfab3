import type { QueryFilter, StateQuery } from '../contracts/state.js';

const COMPARISONS = ['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE'] as const;
type Scalar = string | number | boolean | null;

/** A query the store cannot run: daprd answers these as ERR_STATE_QUERY. */
export class QueryParseError extends Error {}

/**
 * Reads daprd's query JSON (`filter`, `sort`, `page`), naming the part that is wrong. The page token is
 * the offset of the next page, as daprd's SQL stores use it.
 */
export function parseQuery(text: string, keyPrefix: string, metadata: Record<string, string>): Omit<StateQuery, never> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new QueryParseError(`the query is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new QueryParseError('the query must be a JSON object with filter, sort and page');
  for (const k of Object.keys(raw)) if (!['filter', 'sort', 'page'].includes(k)) throw new QueryParseError(`unknown query field "${k}" (filter, sort, page)`);
  const filter = raw.filter === undefined || (isObject(raw.filter) && Object.keys(raw.filter).length === 0) ? undefined : parseFilter(raw.filter, 'filter');
  const sort = parseSort(raw.sort);
  const page = raw.page === undefined ? {} : raw.page;
  if (!isObject(page)) throw new QueryParseError('page must be an object {limit, token}');
  const limit = page.limit === undefined ? 0 : page.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) throw new QueryParseError('page.limit must be a non-negative integer');
  const token = page.token === undefined || page.token === '' ? '0' : page.token;
  if (typeof token !== 'string' || !/^\d+$/.test(token)) throw new QueryParseError('page.token must be a token returned by a previous query');
  return { filter, sort, limit, offset: Number(token), keyPrefix, metadata };
}

function parseFilter(v: unknown, at: string): QueryFilter {
  if (!isObject(v) || Object.keys(v).length !== 1) throw new QueryParseError(`${at} must have exactly one operator (EQ, NEQ, GT, GTE, LT, LTE, IN, AND, OR)`);
  const [op, arg] = Object.entries(v)[0]!;
  if (op === 'AND' || op === 'OR') {
    if (!Array.isArray(arg) || arg.length < 2) throw new QueryParseError(`${at}.${op} must be a list of at least two filters`);
    return { op, filters: arg.map((f, i) => parseFilter(f, `${at}.${op}[${i}]`)) };
  }
  if (!isObject(arg) || Object.keys(arg).length !== 1) throw new QueryParseError(`${at}.${op} must be an object with one field`);
  const [path, value] = Object.entries(arg)[0]!;
  checkPath(path, `${at}.${op}`);
  if (op === 'IN') {
    if (!Array.isArray(value) || value.length === 0 || !value.every(isScalar)) throw new QueryParseError(`${at}.IN.${path} must be a non-empty list of values`);
    return { op, path, values: value as Scalar[] };
  }
  if (!(COMPARISONS as readonly string[]).includes(op)) throw new QueryParseError(`${at}: unknown operator "${op}" (EQ, NEQ, GT, GTE, LT, LTE, IN, AND, OR)`);
  if (!isScalar(value)) throw new QueryParseError(`${at}.${op}.${path} must be a string, number, boolean or null`);
  return { op: op as (typeof COMPARISONS)[number], path, value };
}

function parseSort(v: unknown): StateQuery['sort'] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new QueryParseError('sort must be a list of {key, order}');
  return v.map((s, i) => {
    if (!isObject(s) || typeof s.key !== 'string') throw new QueryParseError(`sort[${i}].key is required`);
    checkPath(s.key, `sort[${i}].key`);
    const order = s.order === undefined ? 'ASC' : s.order;
    if (order !== 'ASC' && order !== 'DESC') throw new QueryParseError(`sort[${i}].order must be ASC or DESC`);
    return { path: s.key, order };
  });
}

/** Dotted paths into the value (`person.org`); a leading `value.` is accepted, as daprd's stores do. */
function checkPath(path: string, at: string): void {
  if (!/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(path)) throw new QueryParseError(`${at}: "${path}" is not a dotted field path`);
}

const isScalar = (v: unknown): v is Scalar => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The path's segments, without daprd's optional `value.` prefix. */
export function pathSegments(path: string): string[] {
  const parts = path.split('.');
  return parts[0] === 'value' && parts.length > 1 ? parts.slice(1) : parts;
}
