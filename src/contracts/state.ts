import type { Component } from './component.js';

/** Optional abilities a state store declares; reported by the metadata API as capabilities. */
export const StateFeature = {
  ETag: 'ETAG',
  Transactional: 'TRANSACTIONAL',
  Ttl: 'TTL',
  Query: 'QUERY_API',
} as const;
export type StateFeature = (typeof StateFeature)[keyof typeof StateFeature];

export type Concurrency = 'first-write' | 'last-write';
export type Consistency = 'eventual' | 'strong';

/** Stored bytes plus whether they are raw bytes (gRPC) rather than JSON text (HTTP). */
export interface StateValue {
  data: Buffer;
  binary: boolean;
}

export interface GetRequest {
  key: string;
  consistency?: Consistency;
  metadata: Record<string, string>;
}

export interface StateItem {
  data: Buffer;
  etag?: string;
  /** Response metadata such as `ttlExpireTime` (RFC 3339). */
  metadata?: Record<string, string>;
}

export interface SetRequest {
  key: string;
  value: StateValue;
  /** When present, the write only succeeds if the stored ETag equals it. */
  etag?: string;
  concurrency?: Concurrency;
  consistency?: Consistency;
  /** Seconds until expiry; `<= 0` removes any expiry; undefined leaves the store's default. */
  ttlInSeconds?: number;
  metadata: Record<string, string>;
}

export interface DeleteRequest {
  key: string;
  etag?: string;
  concurrency?: Concurrency;
  consistency?: Consistency;
  metadata: Record<string, string>;
}

export type TransactionOperation =
  | { operation: 'upsert'; request: SetRequest }
  | { operation: 'delete'; request: DeleteRequest };

/** Required core of every state store. */
export interface StateStore<M = Record<string, unknown>> extends Component<M> {
  features(): readonly StateFeature[];
  /** Resolves to undefined when the key does not exist or has expired. */
  get(req: GetRequest): Promise<StateItem | undefined>;
  set(req: SetRequest): Promise<void>;
  /** Deleting a missing key succeeds unless an ETag was given. */
  delete(req: DeleteRequest): Promise<void>;
}

/** Stores that apply several operations atomically: all or none (an ETag mismatch fails the whole batch). */
export interface TransactionalStateStore<M = Record<string, unknown>> extends StateStore<M> {
  multi(operations: TransactionOperation[]): Promise<void>;
}

/** Stores that can read many keys in one round trip. */
export interface BulkGetStateStore<M = Record<string, unknown>> extends StateStore<M> {
  /** Results in request order; undefined entries are missing keys. */
  bulkGet(requests: GetRequest[]): Promise<Array<StateItem | undefined>>;
}

export function isTransactional(store: StateStore): store is TransactionalStateStore {
  return typeof (store as Partial<TransactionalStateStore>).multi === 'function';
}

export function hasBulkGet(store: StateStore): store is BulkGetStateStore {
  return typeof (store as Partial<BulkGetStateStore>).bulkGet === 'function';
}

/** Thrown by stores for ETag failures; the core maps the kind to 409 (mismatch) or 400 (invalid). */
export class ETagError extends Error {
  constructor(
    readonly kind: 'mismatch' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ETagError';
  }
}

/** Response metadata key for the expiry time, as daprd names it. */
export const TTL_EXPIRE_TIME = 'ttlExpireTime';

/** RFC 3339 in UTC without fractional seconds, as daprd formats `ttlExpireTime`. */
export function formatExpireTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A JSON scalar a filter compares with. */
export type QueryScalar = string | number | boolean | null;

/**
 * A query filter, daprd's JSON shape: comparisons on dotted paths into the JSON value, AND/OR of
 * filters. Every store gives them the same meaning: equality is by JSON type and value (5 = 5.0,
 * 5 ≠ "5"); a range operator only matches values of the same JSON type (numbers numerically, strings
 * by code point, false < true); a value lacking the field matches no comparison, NEQ included.
 */
export type QueryFilter =
  | { op: 'EQ' | 'NEQ'; path: string; value: QueryScalar }
  | { op: 'GT' | 'GTE' | 'LT' | 'LTE'; path: string; value: string | number | boolean }
  | { op: 'IN'; path: string; values: QueryScalar[] }
  | { op: 'AND' | 'OR'; filters: QueryFilter[] };

/**
 * daprd's parsed query. Sorting by a path orders numbers, then strings, then booleans, then anything
 * else (null, objects, a missing field) for ASC, and the exact reverse for DESC; ties fall back to the key.
 */
export interface StateQuery {
  filter?: QueryFilter;
  sort: Array<{ path: string; order: 'ASC' | 'DESC' }>;
  /** Page size (0: everything) and how many matches to skip (the page token). */
  limit: number;
  offset: number;
  /** Only keys starting with this (the app's key prefix); binary values and expired keys never match. */
  keyPrefix: string;
  metadata: Record<string, string>;
}

export interface QueryResult {
  results: Array<{ key: string; data: Buffer; etag?: string }>;
}

/** Stores that evaluate daprd's query language (feature QUERY_API). */
export interface QueryableStateStore<M = Record<string, unknown>> extends StateStore<M> {
  query(q: StateQuery): Promise<QueryResult>;
}

export function isQueryable(store: StateStore): store is QueryableStateStore {
  return typeof (store as Partial<QueryableStateStore>).query === 'function' && store.features().includes(StateFeature.Query);
}
