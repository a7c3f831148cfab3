import { ETagError, type Concurrency } from '../../contracts/state.js';

/**
 * The ETag rules of stores whose ETags are opaque (in-memory, SQLite): `current` is the ETag of the
 * live item, undefined when the key is missing or expired.
 */
export function assertCanWrite(key: string, current: string | undefined, etag: string | undefined, concurrency?: Concurrency): void {
  if (etag === undefined) {
    if (concurrency === 'first-write' && current !== undefined) {
      throw new ETagError('mismatch', `item ${key} already exists and no etag was passed`);
    }
    return;
  }
  assertMatches(key, current, etag);
}

export function assertCanDelete(key: string, current: string | undefined, etag: string | undefined): void {
  if (etag !== undefined) assertMatches(key, current, etag);
}

function assertMatches(key: string, current: string | undefined, etag: string): void {
  if (current === undefined) throw new ETagError('mismatch', `state not exist or expired for key=${key}`);
  if (current !== etag) throw new ETagError('mismatch', `state etag not match for key=${key}: current=${current}, expect=${etag}`);
}
