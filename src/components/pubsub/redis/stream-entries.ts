import type { PubSubMessage } from '../../../contracts/pubsub.js';

/** A stream entry as XREADGROUP / XCLAIM return it in buffer mode: `[id, [field, value, …]]`, or nil fields when trimmed. */
type RawEntry = [Buffer, Buffer[] | null];

export interface StreamEntry {
  id: string;
  /** Undefined when the entry was trimmed from the stream while still pending. */
  message?: PubSubMessage;
}

/** Parses XREADGROUP's reply `[[stream, entries]]` (nil when the block timed out). */
export function readGroupEntries(reply: unknown, topic: string): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((stream: [Buffer, RawEntry[]]) => (stream[1] ?? []).map((e) => toEntry(e, topic)));
}

/** Parses XCLAIM's reply: a list of entries. */
export function claimedEntries(reply: unknown, topic: string): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return (reply as Array<RawEntry | null>).filter((e): e is RawEntry => Array.isArray(e)).map((e) => toEntry(e, topic));
}

function toEntry([rawId, fields]: RawEntry, topic: string): StreamEntry {
  const id = rawId.toString();
  if (!fields) return { id };
  let data: Buffer = Buffer.alloc(0);
  let metadata: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i].toString();
    if (name === 'data') data = fields[i + 1];
    else if (name === 'metadata') metadata = parseMetadata(fields[i + 1].toString());
  }
  return { id, message: { topic, data, metadata, brokerId: id } };
}

/** The metadata field is JSON written by a publisher; anything that is not a string map is ignored. */
function parseMetadata(text: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  } catch {
    return {};
  }
}
