import { ETagError } from '../../contracts/state.js';
import type { StateApi } from '../../core/state-api.js';
import { KvConflict, type KvEntry, type KvStore } from './kv-store.js';

const isMismatch = (err: unknown) => err instanceof Error && err.cause instanceof ETagError && err.cause.kind === 'mismatch';

/**
 * Records in a state store component, through the state core (resiliency and key prefixing apply: replicas
 * of one app-id share them). ETags are the store's, with first-write concurrency.
 */
export class StateKv implements KvStore {
  constructor(
    private readonly state: StateApi,
    private readonly storeName: string,
  ) {}

  async get<T>(key: string): Promise<KvEntry<T> | undefined> {
    const item = await this.state.get({ storeName: this.storeName, key, metadata: {} });
    if (!item || item.data.length === 0) return undefined;
    return { value: JSON.parse(item.data.toString('utf8')) as T, etag: item.etag ?? '' };
  }

  set(key: string, value: unknown, etag?: string): Promise<void> {
    return this.#save(key, value, etag ? { etag, options: { concurrency: 'first-write' } } : {});
  }

  /** First-write concurrency without an ETag: every store then only creates a missing key. */
  create(key: string, value: unknown): Promise<void> {
    return this.#save(key, value, { options: { concurrency: 'first-write' } });
  }

  async #save(key: string, value: unknown, concurrency: { etag?: string; options?: { concurrency: 'first-write' } }): Promise<void> {
    const item = { key, value: { data: Buffer.from(JSON.stringify(value)), binary: false }, ...concurrency };
    try {
      await this.state.save({ storeName: this.storeName, items: [item], metadata: {} });
    } catch (err) {
      if (isMismatch(err)) throw new KvConflict(key);
      throw err;
    }
  }

  async delete(key: string, etag?: string): Promise<void> {
    try {
      await this.state.delete({ storeName: this.storeName, key, ...(etag ? { etag, options: { concurrency: 'first-write' } } : {}), metadata: {} });
    } catch (err) {
      if (isMismatch(err)) throw new KvConflict(key);
      throw err;
    }
  }

  async close(): Promise<void> {}
}
