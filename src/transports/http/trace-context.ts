import { randomFillSync } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The `traceparent` daprd puts on API responses (tracing is on by default): the caller's trace
 * continued with a new span, or a new trace when the caller sent none or an invalid one.
 */
export function responseTraceparent(incoming: string | undefined): string {
  const m = incoming ? TRACEPARENT.exec(incoming.trim().toLowerCase()) : null;
  const traceId = m && !/^0+$/.test(m[1]) ? m[1] : randomHex(16);
  const flags = m ? m[3] : '00';
  return `00-${traceId}-${randomHex(8)}-${flags}`;
}

// Random ids come from a pool refilled 4 KB at a time: one randomBytes call per response is a syscall each.
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += bytes;
  return pool.toString('hex', used - bytes, used);
}
