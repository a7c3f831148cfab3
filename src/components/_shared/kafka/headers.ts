import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { KafkaTuning } from './tuning.js';

/** How metadata and record headers map onto each other (`escapeHeaders`, `excludeHeaderMetaRegex`). */
export interface HeaderRules {
  escape: boolean;
  exclude?: RegExp;
}

export function headerRules(md: Pick<KafkaTuning, 'escapeHeaders' | 'excludeHeaderMetaRegex'>): HeaderRules {
  if (!md.excludeHeaderMetaRegex) return { escape: md.escapeHeaders };
  try {
    return { escape: md.escapeHeaders, exclude: new RegExp(md.excludeHeaderMetaRegex) };
  } catch (err) {
    throw new Error(`excludeHeaderMetaRegex: ${(err as Error).message}`);
  }
}

/** Every metadata entry becomes a header, as daprd writes them (routing keys included), unless excluded. */
export function toHeaders(metadata: Record<string, string>, rules: HeaderRules): IHeaders {
  const headers: IHeaders = {};
  for (const [k, v] of Object.entries(metadata)) if (!rules.exclude?.test(k)) headers[k] = v;
  return headers;
}

/** Bytes of a record as the broker counts them against its size limit (near enough: no framing). */
export function recordSize(value: Buffer, key: string | undefined, headers: IHeaders): number {
  let size = value.length + (key === undefined ? 0 : Buffer.byteLength(key));
  for (const [k, v] of Object.entries(headers)) size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  return size;
}

/**
 * The metadata handed to the app with a record: daprd's delivery facts (`__key`, `__offset`, `__topic`,
 * `__timestamp`, `__partition`) and then every header, a later header of the same name winning.
 */
export function deliveryMetadata(topic: string, partition: number, message: KafkaMessage, rules: HeaderRules): Record<string, string> {
  const out = (v: string) => (rules.escape ? goQueryEscape(v) : v);
  const metadata: Record<string, string> = {};
  if (message.key) metadata.__key = out(message.key.toString('utf8'));
  metadata.__offset = message.offset;
  metadata.__topic = topic;
  metadata.__timestamp = message.timestamp;
  metadata.__partition = String(partition);
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    if (v === undefined || rules.exclude?.test(k)) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) metadata[k] = out(last.toString());
  }
  return metadata;
}

/** Go's url.QueryEscape, which daprd applies: only letters, digits and `-_.~` stay, space becomes `+`. */
export function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
