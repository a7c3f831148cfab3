/** A stored value and the ETag it was read with. */
export interface KvEntry<T = unknown> {
  value: T;
  etag: string;
}

/** A write or delete whose ETag no longer matches: someone else changed the record first. */
export class KvConflict extends Error {
  constructor(key: string) {
    super(`record ${key} was changed by someone else`);
    this.name = 'KvConflict';
  }
}

/**
 * What the engine persists through: JSON values under string keys, with optimistic concurrency. A state
 * store component (through the state core) or the engine's embedded SQLite file implement it.
 */
export interface KvStore {
  get<T = unknown>(key: string): Promise<KvEntry<T> | undefined>;
  /** With `etag`, succeeds only if the record still has it (else KvConflict). */
  set(key: string, value: unknown, etag?: string): Promise<void>;
  /** Writes a record that does not exist yet (else KvConflict): the compare-and-set of a first write. */
  create(key: string, value: unknown): Promise<void>;
  delete(key: string, etag?: string): Promise<void>;
  close(): Promise<void>;
}
