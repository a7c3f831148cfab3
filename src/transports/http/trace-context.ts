import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The `traceparent` daprd puts on API responses (tracing is on by default): the caller's trace
 * continued with a new span, or a new trace when the caller sent none or an invalid one.
 */
export function responseTraceparent(incoming: string | undefined): string {
  const m = incoming ? TRACEPARENT.exec(incoming.trim().toLowerCase()) : null;
  const traceId = m && !/^0+$/.test(m[1]) ? m[1] : randomBytes(16).toString('hex');
  const flags = m ? m[3] : '00';
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}
