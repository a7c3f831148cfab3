import type { ParsedOptions, StateOptions } from './state-requests.js';

const CONCURRENCY = new Set(['first-write', 'last-write']);
const CONSISTENCY = new Set(['eventual', 'strong']);

/** Validates `options` as components-contrib's CheckRequestOptions does; empty means the store default. */
export function parseOptions(o: StateOptions | undefined): ParsedOptions {
  const parsed: ParsedOptions = {};
  if (o?.concurrency) {
    if (!CONCURRENCY.has(o.concurrency)) throw new Error(`unrecognized concurrency model '${o.concurrency}'`);
    parsed.concurrency = o.concurrency as ParsedOptions['concurrency'];
  }
  if (o?.consistency) {
    if (!CONSISTENCY.has(o.consistency)) throw new Error(`unrecognized consistency model '${o.consistency}'`);
    parsed.consistency = o.consistency as ParsedOptions['consistency'];
  }
  return parsed;
}

/** A read's `consistency`: daprd passes an unknown value to the store, which treats it as the default; so does Mecha. */
export function readConsistency(value: string | undefined): ParsedOptions['consistency'] {
  return value && CONSISTENCY.has(value) ? (value as ParsedOptions['consistency']) : undefined;
}

/** Parses the `ttlInSeconds` request metadata: an integer, or undefined when absent. */
export function parseTtl(metadata: Record<string, string>): number | undefined {
  const raw = metadata.ttlInSeconds;
  if (raw === undefined || raw === '') return undefined;
  if (!/^[+-]?\d+$/.test(raw.trim())) throw new Error(`metadata ttlInSeconds must be an integer number of seconds, got "${raw}"`);
  return Number(raw);
}

/** An empty ETag is no ETag (daprd's HasETag). */
export function etagOf(etag: string | undefined): string | undefined {
  return etag === undefined || etag === '' ? undefined : etag;
}
