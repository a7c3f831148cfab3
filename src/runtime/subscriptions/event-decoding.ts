import { randomUUID } from 'node:crypto';
import type { PubSubMessage } from '../../contracts/pubsub.js';
import { DEFAULT_EVENT_SOURCE, DEFAULT_EVENT_TYPE } from '../../core/pubsub-envelope.js';

/** A broker message as the app will see it. */
export interface IncomingEvent {
  /** The CloudEvent as a map: what routing rules see as `event`, and where `expiration` is read. */
  event: Record<string, unknown>;
  /** The bytes the app receives: the stored CloudEvent untouched, or the envelope built for a raw payload. */
  body: Buffer;
}

/**
 * Reads a message of a subscription. A CloudEvent is delivered byte for byte as the publisher stored it;
 * a raw payload (`rawPayload: "true"` on the subscription) is wrapped in the envelope daprd builds for
 * it. Throws when a non-raw message is not a JSON object.
 */
export function decodeEvent(message: PubSubMessage, raw: boolean, pubsubName: string): IncomingEvent {
  if (raw) {
    const event: Record<string, unknown> = {
      id: randomUUID(),
      specversion: '1.0',
      datacontenttype: 'application/octet-stream',
      source: DEFAULT_EVENT_SOURCE,
      type: DEFAULT_EVENT_TYPE,
      topic: message.topic,
      pubsubname: pubsubName,
      data_base64: message.data.toString('base64'),
    };
    for (const k of ['traceid', 'traceparent', 'tracestate']) if (message.metadata[k]) event[k] = message.metadata[k];
    return { event, body: Buffer.from(JSON.stringify(event)) };
  }
  const parsed: unknown = JSON.parse(message.data.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the message is not a JSON object');
  return { event: parsed as Record<string, unknown>, body: message.data };
}

/** Events whose `expiration` (RFC 3339, written when the broker has no native TTL) has passed. */
export function isExpired(event: Record<string, unknown>, now = Date.now()): boolean {
  if (typeof event.expiration !== 'string') return false;
  const at = Date.parse(event.expiration);
  return Number.isFinite(at) && at < now;
}
