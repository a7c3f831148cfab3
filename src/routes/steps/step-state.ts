import { ETagError, StateFeature, type StateStore } from '../../contracts/state.js';
import type { TransactionRequestOperation } from '../../core/state-requests.js';
import type { StepContext } from '../step.js';

/** A JSON document read from the store with the ETag a later write must match. */
export interface Versioned<T> {
  value: T;
  etag?: string;
}

/**
 * A step's JSON documents in a state store, through the sidecar's state core (so key prefixes, resiliency
 * and metrics apply as for the app). Every write uses first-write concurrency: without an ETag it only
 * creates a missing key, with one it only replaces that version — a compare-and-set on every store,
 * Redis included (there a key once written first-write refuses ETag-less writes).
 */
export class StepState {
  readonly #ctx: StepContext;

  constructor(
    ctx: StepContext,
    readonly store: string,
  ) {
    this.#ctx = ctx;
  }

  /** `mecha-route:<route>:<step>:<parts>`; parts are URI-encoded so no key holds daprd's `||` separator. */
  key(...parts: string[]): string {
    return ['mecha-route', this.#ctx.route, this.#ctx.position, ...parts].map(encodeURIComponent).join(':');
  }

  /** The store's declared features; throws when the store is not configured (checked at `start`). */
  features(): readonly StateFeature[] {
    const store = this.#ctx.deps.components.get<StateStore>('state', this.store)?.instance;
    if (!store) throw new Error(`state store ${this.store} is not configured`);
    return store.features();
  }

  /** Throws unless the store declares every feature given. */
  require(...needed: StateFeature[]): void {
    const missing = needed.filter((f) => !this.features().includes(f));
    if (missing.length > 0) throw new Error(`state store ${this.store} lacks ${missing.join(', ')}, which this step needs`);
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    const item = await this.#ctx.deps.blocks.state.get({ storeName: this.store, key, metadata: {} });
    return item ? { value: JSON.parse(item.data.toString('utf8')) as T, etag: item.etag } : undefined;
  }

  /**
   * Applies the writes atomically; false when another writer changed (or created) one of the keys first.
   * `etag` undefined on an upsert means "the key must not exist".
   */
  async commit(writes: StateWrite[]): Promise<boolean> {
    const operations = writes.map((w): TransactionRequestOperation => {
      return w.delete
        ? { operation: 'delete', request: { key: w.key, etag: w.etag } }
        : { operation: 'upsert', request: { key: w.key, value: json(w.value), etag: w.etag, options: { concurrency: 'first-write' }, metadata: ttlMetadata(w.ttlInSeconds) } };
    });
    try {
      await this.#ctx.deps.blocks.state.transaction({ storeName: this.store, operations, metadata: {} });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }
}

export type StateWrite =
  | { key: string; value: unknown; etag: string | undefined; ttlInSeconds?: number; delete?: false }
  | { key: string; delete: true; etag?: string };

/** `ttlInSeconds` as state metadata: -1 removes an expiry, undefined leaves the key's as it is. */
function ttlMetadata(ttlInSeconds: number | undefined): Record<string, string> {
  return ttlInSeconds === undefined ? {} : { ttlInSeconds: String(ttlInSeconds) };
}

function json(value: unknown) {
  return { data: Buffer.from(JSON.stringify(value)), binary: false };
}

/** An ETag mismatch anywhere in the cause chain (the core wraps the store's error). */
function isConflict(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof ETagError) return e.kind === 'mismatch';
  }
  return false;
}
