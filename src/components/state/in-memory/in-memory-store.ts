import { randomUUID } from 'node:crypto';
import type { ComponentContext } from '../../../contracts/component.js';
import {
  StateFeature,
  TTL_EXPIRE_TIME,
  formatExpireTime,
  type DeleteRequest,
  type GetRequest,
  type SetRequest,
  type StateItem,
  type StateValue,
  type QueryableStateStore,
  type QueryResult,
  type StateQuery,
  type TransactionOperation,
  type TransactionalStateStore,
} from '../../../contracts/state.js';
import { evaluateQuery } from '../../_shared/query-eval.js';
import { assertCanDelete, assertCanWrite } from '../../_shared/etag-rules.js';

interface Entry {
  value: StateValue;
  etag: string;
  expiresAt?: number;
}

const SWEEP_INTERVAL_MS = 10_000;

/** Per-process store: fast, not shared, gone on exit. Single-threaded JS makes each call atomic. */
class InMemoryStateStore implements TransactionalStateStore, QueryableStateStore {
  readonly #entries = new Map<string, Entry>();
  #sweeper?: NodeJS.Timeout;

  async init(): Promise<void> {
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS).unref();
  }

  features() {
    return [StateFeature.ETag, StateFeature.Transactional, StateFeature.Ttl, StateFeature.Query] as const;
  }

  async query(q: StateQuery): Promise<QueryResult> {
    const live = [...this.#entries.keys()].flatMap((key) => {
      const e = this.#live(key);
      return e && !e.value.binary ? [{ key, data: e.value.data, etag: e.etag }] : [];
    });
    return evaluateQuery(live, q);
  }

  async get(req: GetRequest): Promise<StateItem | undefined> {
    const entry = this.#live(req.key);
    if (!entry) return undefined;
    const item: StateItem = { data: entry.value.data, etag: entry.etag };
    if (entry.expiresAt !== undefined) item.metadata = { [TTL_EXPIRE_TIME]: formatExpireTime(entry.expiresAt) };
    return item;
  }

  async set(req: SetRequest): Promise<void> {
    assertCanWrite(req.key, this.#live(req.key)?.etag, req.etag, req.concurrency);
    this.#write(req);
  }

  async delete(req: DeleteRequest): Promise<void> {
    assertCanDelete(req.key, this.#live(req.key)?.etag, req.etag);
    this.#entries.delete(req.key);
  }

  async multi(operations: TransactionOperation[]): Promise<void> {
    // Check every ETag before touching anything, so a mismatch leaves the store unchanged.
    for (const op of operations) {
      const current = this.#live(op.request.key)?.etag;
      if (op.operation === 'upsert') assertCanWrite(op.request.key, current, op.request.etag, op.request.concurrency);
      else assertCanDelete(op.request.key, current, op.request.etag);
    }
    for (const op of operations) {
      if (op.operation === 'upsert') this.#write(op.request);
      else this.#entries.delete(op.request.key);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }

  #write(req: SetRequest): void {
    const ttl = req.ttlInSeconds ?? 0;
    const entry: Entry = { value: req.value, etag: randomUUID() };
    if (ttl > 0) entry.expiresAt = Date.now() + ttl * 1000;
    this.#entries.set(req.key, entry);
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(key);
    }
  }
}

export function createInMemoryStore(_ctx: ComponentContext): InMemoryStateStore {
  return new InMemoryStateStore();
}
