import { parseQuery } from './state-query.js';
import { projectColumns, SqlError, translateSql } from './state-sql.js';
import {
  ETagError,
  StateFeature,
  hasBulkGet,
  isQueryable,
  isTransactional,
  type DeleteRequest,
  type QueryResult,
  type StateQuery,
  type SetRequest,
  type StateItem,
  type StateStore,
  type TransactionOperation,
  type TransactionalStateStore,
} from '../contracts/state.js';
import { Errors, type ErrorKind } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import { direct, type ComponentCall } from '../resiliency/component-caller.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { KeyPrefixer } from './state-keys.js';
import { etagOf, parseOptions, parseTtl, readConsistency } from './state-options.js';
import type {
  BulkGetStateRequest,
  BulkStateItem,
  DeleteStateRequest,
  GetStateRequest,
  SaveStateItem,
  SaveStateRequest,
  StateTransactionRequest,
} from './state-requests.js';

/** One page of query results, keys as the app knows them; `token` asks for the next page. */
export interface StateQueryPage extends QueryResult {
  token?: string;
}

/** The state stores the API can reach, by component name. */
export interface StateStores {
  count(): number;
  find(name: string): { store: StateStore; keys: KeyPrefixer } | undefined;
}

const DEFAULT_BULK_PARALLELISM = 100;

/** The state building block: every rule daprd applies between the API and a store, for any transport. */
export class StateApi {
  constructor(
    private readonly appId: string,
    private readonly stores: StateStores,
    /** Wraps every store call in its resiliency policy (outbound, by store name). */
    private readonly call: ComponentCall = direct,
  ) {}

  async get(req: GetStateRequest): Promise<StateItem | undefined> {
    const { store, keys } = this.#store(req.storeName);
    const key = keys.toStored(req.key, req.storeName);
    const consistency = readConsistency(req.consistency);
    try {
      return await this.call(req.storeName, () => store.get({ key, consistency, metadata: req.metadata }));
    } catch (err) {
      throw new SidecarError(Errors.StateGet, `fail to get ${req.key} from state store ${req.storeName}: ${messageOf(err)}`, { cause: err });
    }
  }

  async bulkGet(req: BulkGetStateRequest): Promise<BulkStateItem[]> {
    const { store, keys } = this.#store(req.storeName);
    const gets = req.keys.map((k) => ({ key: keys.toStored(k, req.storeName), metadata: req.metadata }));
    if (gets.length === 0) return [];
    if (hasBulkGet(store)) {
      try {
        const items = await this.call(req.storeName, () => store.bulkGet(gets));
        return req.keys.map((key, i) => (items[i] ? { key, item: items[i] } : { key }));
      } catch (err) {
        throw new SidecarError(Errors.StateBulkGet, messageOf(err), { cause: err });
      }
    }
    const parallelism = req.parallelism && req.parallelism > 0 ? req.parallelism : DEFAULT_BULK_PARALLELISM;
    return mapWithConcurrency(gets, parallelism, async (g, i): Promise<BulkStateItem> => {
      try {
        const item = await this.call(req.storeName, () => store.get(g));
        return item ? { key: req.keys[i], item } : { key: req.keys[i] };
      } catch (err) {
        return { key: req.keys[i], error: messageOf(err) };
      }
    });
  }

  async save(req: SaveStateRequest): Promise<void> {
    const { store, keys } = this.#store(req.storeName);
    if (req.items.length === 0) return;
    const sets = req.items.map((item) => this.#setRequest(item, req, keys));
    const kinds = { mismatch: Errors.StateSaveETagMismatch, invalid: Errors.StateSaveETagInvalid, other: Errors.StateSave };
    const fail = (err: unknown) => storeError(kinds, `failed saving state in state store ${req.storeName}`, err);
    if (sets.length === 1) {
      await this.call(req.storeName, () => store.set(sets[0])).catch((err) => { throw fail(err); });
      return;
    }
    const results = await Promise.allSettled(sets.map((s) => this.call(req.storeName, () => store.set(s))));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length > 0) throw fail(failures.find((f) => f instanceof ETagError) ?? failures[0]);
  }

  async delete(req: DeleteStateRequest): Promise<void> {
    const { store, keys } = this.#store(req.storeName);
    const kinds = { mismatch: Errors.StateDeleteETagMismatch, invalid: Errors.StateDeleteETagInvalid, other: Errors.StateDelete };
    const del = { key: keys.toStored(req.key, req.storeName), etag: etagOf(req.etag), metadata: req.metadata };
    try {
      const options = parseOptions(req.options);
      await this.call(req.storeName, () => store.delete({ ...del, ...options }));
    } catch (err) {
      throw storeError(kinds, `failed deleting state with key ${req.key}`, err);
    }
  }

  /** Deletes several keys (gRPC DeleteBulkState); not atomic, any failure fails the call. */
  async deleteBulk(req: { storeName: string; items: SaveStateItem[] }): Promise<void> {
    const { store, keys } = this.#store(req.storeName);
    const kinds = { mismatch: Errors.StateBulkDeleteETagMismatch, invalid: Errors.StateBulkDeleteETagInvalid, other: Errors.StateBulkDelete };
    const deletes = req.items.map((item) => this.#deleteRequest(item, { storeName: req.storeName, metadata: {} }, keys));
    const results = await Promise.allSettled(deletes.map((d) => this.call(req.storeName, () => store.delete(d))));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length > 0) {
      throw storeError(kinds, `failed deleting state in state store ${req.storeName}`, failures.find((f) => f instanceof ETagError) ?? failures[0]);
    }
  }

  async transaction(req: StateTransactionRequest): Promise<void> {
    const { store: candidate, keys } = this.#store(req.storeName);
    const store = this.#transactional(candidate, req.storeName);
    if (req.operations.length === 0) return;
    const ops: TransactionOperation[] = req.operations.map((op, i) => {
      if (op.operation !== 'upsert' && op.operation !== 'delete') {
        throw new SidecarError(Errors.StateOperationNotSupported, `operation type ${op.operation} not supported`);
      }
      if (!op.request?.key) throw new SidecarError(Errors.MalformedRequest, `operations[${i}].request.key is a required field`);
      const item: SaveStateItem = { ...op.request, value: op.request.value ?? { data: Buffer.from('null'), binary: false } };
      try {
        return op.operation === 'upsert'
          ? { operation: 'upsert', request: this.#setRequest(item, req, keys, true) }
          : { operation: 'delete', request: this.#deleteRequest(item, req, keys) };
      } catch (err) {
        if (err instanceof SidecarError) throw err;
        throw new SidecarError(Errors.StateTransaction, `error while executing state transaction: ${messageOf(err)}`, { cause: err });
      }
    });
    try {
      await this.call(req.storeName, () => store.multi(ops));
    } catch (err) {
      throw new SidecarError(Errors.StateTransaction, `error while executing state transaction: ${messageOf(err)}`, { cause: err });
    }
  }

  /**
   * The query API (alpha): daprd's filter/sort/page JSON over the app's own keys, returned without the
   * key prefix. A malformed query and a failing store are both ERR_STATE_QUERY, as in daprd; the next
   * page's token is the number of matches seen so far, given with every non-empty limited page.
   */
  async query(req: { storeName: string; query: string; metadata: Record<string, string> }): Promise<StateQueryPage> {
    this.checkStore(req.storeName, 'query');
    const { store, keys } = this.#store(req.storeName);
    const fail = (detail: string, cause?: unknown) =>
      new SidecarError(Errors.StateQuery, `state store ${req.storeName} query failed: ${detail}`, { cause, resource: { type: 'state', name: req.storeName } });
    if (!isQueryable(store)) throw new SidecarError(Errors.StateQueryNotSupported, 'state store does not support querying', { resource: { type: 'state', name: req.storeName } });
    let query: StateQuery;
    try {
      query = parseQuery(req.query, keys.prefix, req.metadata);
    } catch (err) {
      throw fail(`failed to parse JSON query body: ${messageOf(err)}`, err);
    }
    let found: QueryResult;
    try {
      found = await this.call(req.storeName, () => store.query(query));
    } catch (err) {
      throw fail(messageOf(err), err);
    }
    const results = found.results.map((r) => ({ ...r, key: r.key.slice(keys.prefix.length) }));
    const token = query.limit > 0 && results.length > 0 ? String(query.offset + results.length) : undefined;
    return { results, token };
  }

  /**
   * The state SQL API (Mecha's own): a SELECT over the store, translated into the query API's JSON and
   * answered exactly as a query. SQL outside the subset is the caller's mistake: 400 ERR_STATE_QUERY
   * naming the construct and where. `token` continues a limited query, as the query API's page token.
   */
  async querySql(req: { storeName: string; sql: string; token?: string; metadata: Record<string, string> }): Promise<StateQueryPage> {
    this.checkStore(req.storeName, 'query');
    const refuse = (detail: string) =>
      new SidecarError(Errors.StateQuerySql, `state store ${req.storeName} SQL query refused: ${detail}`, {
        resource: { type: 'state', name: req.storeName },
        fieldViolation: { field: 'query', description: detail },
      });
    let translated: ReturnType<typeof translateSql>;
    try {
      translated = translateSql(req.sql, req.storeName);
    } catch (err) {
      if (err instanceof SqlError) throw refuse(err.message);
      throw err;
    }
    const { query, columns } = translated;
    if (req.token !== undefined && req.token !== '') {
      if (query.page?.token !== undefined) throw refuse('give either OFFSET in the SQL or a token, not both');
      if (!/^\d{1,15}$/.test(req.token)) throw refuse(`token "${req.token}" is not the token of a previous page`);
      query.page = { ...query.page, token: req.token };
    }
    const page = await this.query({ storeName: req.storeName, query: JSON.stringify(query), metadata: req.metadata });
    return columns ? { ...page, results: page.results.map((r) => ({ ...r, data: projectColumns(r.data, columns) })) } : page;
  }

  /**
   * Fails as daprd does before a request body is even read: no stores, unknown store, and for
   * transactions a store without them. Transports call it before decoding, to keep daprd's error order.
   */
  checkStore(storeName: string, need?: 'transactions' | 'query'): void {
    const { store } = this.#store(storeName);
    if (need === 'transactions') this.#transactional(store, storeName);
    if (need === 'query' && !store.features().includes(StateFeature.Query)) {
      throw new SidecarError(Errors.StateQueryNotSupported, 'state store does not support querying', { resource: { type: 'state', name: storeName } });
    }
  }

  /** The capabilities the metadata API reports for a store (ACTOR when it could host actor state). */
  static capabilities(store: StateStore): string[] {
    const features: string[] = [...store.features()];
    if (features.includes(StateFeature.ETag) && features.includes(StateFeature.Transactional)) features.push('ACTOR');
    return features;
  }

  #store(name: string): { store: StateStore; keys: KeyPrefixer } {
    const meta = this.appId ? { appID: this.appId } : undefined;
    if (this.stores.count() === 0) throw new SidecarError(Errors.StateStoreNotConfigured, `state store ${name} is not configured`, { metadata: meta });
    const found = this.stores.find(name);
    if (!found) throw new SidecarError(Errors.StateStoreNotFound, `state store ${name} is not found`, { metadata: meta });
    return found;
  }

  #transactional(store: StateStore, name: string): TransactionalStateStore {
    if (isTransactional(store) && store.features().includes(StateFeature.Transactional)) return store;
    throw new SidecarError(Errors.StateTransactionsNotSupported, `state store ${name} doesn't support transactions`, {
      resource: { type: 'state', name },
      help: { url: 'https://docs.dapr.io/reference/components-reference/supported-state-stores/', description: 'Check the list of state stores and the features they support' },
    });
  }

  /** Bad options or TTL fail as ERR_STATE_SAVE on a save; a transaction reports them as its own failure (daprd). */
  #setRequest(item: SaveStateItem, req: { storeName: string; metadata: Record<string, string> }, keys: KeyPrefixer, inTransaction = false): SetRequest {
    if (!item.key) throw new SidecarError(Errors.MalformedRequest, '"key" is a required field');
    const metadata = { ...item.metadata, ...req.metadata };
    const key = keys.toStored(item.key, req.storeName);
    try {
      return { key, value: item.value, etag: etagOf(item.etag), ...parseOptions(item.options), ttlInSeconds: parseTtl(metadata), metadata };
    } catch (err) {
      if (inTransaction) throw err;
      throw new SidecarError(Errors.StateSave, `failed saving state in state store ${req.storeName}: ${messageOf(err)}`, { cause: err });
    }
  }

  #deleteRequest(item: SaveStateItem, req: { storeName: string; metadata: Record<string, string> }, keys: KeyPrefixer): DeleteRequest {
    const metadata = { ...item.metadata, ...req.metadata };
    return { key: keys.toStored(item.key, req.storeName), etag: etagOf(item.etag), ...parseOptions(item.options), metadata };
  }
}

function storeError(kinds: { mismatch: ErrorKind; invalid: ErrorKind; other: ErrorKind }, prefix: string, err: unknown): SidecarError {
  if (err instanceof SidecarError) return err;
  const kind = err instanceof ETagError ? kinds[err.kind] : kinds.other;
  const detail = err instanceof ETagError ? etagMessage(err) : messageOf(err);
  return new SidecarError(kind, `${prefix}: ${detail}`, { cause: err });
}

/** daprd's ETagError text: a fixed prefix, then the store's own message. */
function etagMessage(err: ETagError): string {
  return `${err.kind === 'mismatch' ? 'possible etag mismatch. error from state store' : 'invalid etag value'}: ${err.message}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
