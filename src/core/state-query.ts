import type { QueryFilter, QueryScalar, StateQuery } from '../contracts/state.js';
import { depthExceededAt, depthMessage } from '../util/json-text.js';

const COMPARISONS = ['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE'] as const;
const OPERATORS = 'EQ, NEQ, GT, GTE, LT, LTE, IN, AND, OR';
/** AND/OR nesting allowed in a filter: stores evaluate and translate filters recursively. */
export const MAX_FILTER_NESTING = 100;

/** A query body that cannot be run; daprd answers these with ERR_STATE_QUERY. */
export class QueryParseError extends Error {}

/**
 * Reads daprd's query JSON (`filter`, `sort`, `page`) into a StateQuery, naming the part that is wrong.
 * Like daprd's decoder it ignores fields it does not know, and an empty filter means "everything".
 * The page token is the number of matches to skip, as daprd's SQL stores issue it.
 */
export function parseQuery(text: string, keyPrefix: string, metadata: Record<string, string>): StateQuery {
  let raw: unknown;
  try {
    const tooDeep = depthExceededAt(text);
    if (tooDeep) throw new Error(depthMessage(tooDeep));
    raw = JSON.parse(text);
  } catch (err) {
    throw new QueryParseError(`the query is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new QueryParseError('the query must be a JSON object with filter, sort and page');
  const filter = raw.filter === undefined || raw.filter === null || (isObject(raw.filter) && Object.keys(raw.filter).length === 0) ? undefined : parseFilter(raw.filter, 'filter', 0);
  const { limit, offset } = parsePage(raw.page);
  return { filter, sort: parseSort(raw.sort), limit, offset, keyPrefix, metadata };
}

function parseFilter(v: unknown, at: string, nesting: number): QueryFilter {
  if (nesting > MAX_FILTER_NESTING) throw new QueryParseError(`filter: AND/OR nested deeper than ${MAX_FILTER_NESTING} levels`);
  if (!isObject(v)) throw new QueryParseError(`${at} must be an object with one operator (${OPERATORS})`);
  const entries = Object.entries(v);
  if (entries.length !== 1) throw new QueryParseError(`${at} must have exactly one operator (${OPERATORS}), got ${entries.length}`);
  const [op, arg] = entries[0]!;
  if (op === 'AND' || op === 'OR') {
    if (!Array.isArray(arg) || arg.length < 2) throw new QueryParseError(`${at}.${op} must be a list of at least two filters`);
    return { op, filters: arg.map((f, i) => parseFilter(f, `${at}.${op}[${i}]`, nesting + 1)) };
  }
  if (op !== 'IN' && !(COMPARISONS as readonly string[]).includes(op)) throw new QueryParseError(`${at}: unsupported operator "${op}" (${OPERATORS})`);
  if (!isObject(arg) || Object.keys(arg).length !== 1) throw new QueryParseError(`${at}.${op} must be an object with exactly one field path`);
  const [path, value] = Object.entries(arg)[0]!;
  checkPath(path, `${at}.${op}`);
  const where = `${at}.${op}.${path}`;
  if (op === 'IN') {
    if (!Array.isArray(value) || value.length === 0) throw new QueryParseError(`${where} must be a non-empty list of values`);
    value.forEach((x, i) => {
      if (!isScalar(x)) throw new QueryParseError(`${where}[${i}] must be a string, number, boolean or null`);
    });
    return { op, path, values: value as QueryScalar[] };
  }
  if (op === 'EQ' || op === 'NEQ') {
    if (!isScalar(value)) throw new QueryParseError(`${where} must be a string, number, boolean or null`);
    return { op, path, value };
  }
  if (value === null || !isScalar(value)) throw new QueryParseError(`${where} must be a number, string or boolean`);
  return { op: op as 'GT' | 'GTE' | 'LT' | 'LTE', path, value };
}

function parseSort(v: unknown): StateQuery['sort'] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new QueryParseError('sort must be a list of {"key": path, "order": "ASC"|"DESC"}');
  return v.map((s, i) => {
    if (!isObject(s) || typeof s.key !== 'string') throw new QueryParseError(`sort[${i}].key must be a field path`);
    checkPath(s.key, `sort[${i}].key`);
    const order = s.order === undefined || s.order === '' ? 'ASC' : typeof s.order === 'string' ? s.order.toUpperCase() : s.order;
    if (order !== 'ASC' && order !== 'DESC') throw new QueryParseError(`sort[${i}].order must be ASC or DESC`);
    return { path: s.key, order };
  });
}

function parsePage(v: unknown): { limit: number; offset: number } {
  if (v === undefined || v === null) return { limit: 0, offset: 0 };
  if (!isObject(v)) throw new QueryParseError('page must be an object {"limit": n, "token": "…"}');
  const limit = v.limit ?? 0;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) throw new QueryParseError('page.limit must be a non-negative integer');
  const token = v.token ?? '';
  if (typeof token !== 'string' || !/^\d{0,15}$/.test(token)) throw new QueryParseError('page.token must be the token of a previous page');
  return { limit, offset: token === '' ? 0 : Number(token) };
}

/** Dotted paths into the JSON value (`person.org`), as daprd's stores read them; no quotes or spaces. */
function checkPath(path: string, at: string): void {
  if (!/^[^."\\\s]+(\.[^."\\\s]+)*$/.test(path) || path.length > 256) throw new QueryParseError(`${at}: "${path}" is not a dotted field path`);
}

const isScalar = (v: unknown): v is QueryScalar => v === null || (['string', 'number', 'boolean'] as const).includes(typeof v as 'string');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
