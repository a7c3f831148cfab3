import { randomUUID } from 'node:crypto';
import { dataKind, mediaType, rfc3339 } from '../core/pubsub-envelope.js';
import type { RouteMessage } from './step.js';

/** Headers a message does not carry over HTTP: the connection's own, the body's, the API token. */
export const NOT_CARRIED_HEADERS = new Set(['host', 'content-length', 'content-type', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'dapr-api-token']);

/** The CloudEvent attributes a step may not remove or a message may not lose. */
export const REQUIRED_ATTRIBUTES = new Set(['id', 'source', 'type', 'specversion']);

/**
 * A message around a payload that did not arrive as a CloudEvent (a binding event, a webhook): JSON
 * becomes `data` as a value, text a string, anything else `data_base64`, as daprd wraps raw payloads.
 */
export function messageOfPayload(body: Buffer, contentType: string | undefined, attributes: { source: string; type: string; traceparent?: string; tracestate?: string }, headers: Record<string, string>): RouteMessage {
  const event: RouteMessage['event'] = { specversion: '1.0', id: randomUUID(), source: attributes.source, type: attributes.type, time: rfc3339(new Date()) };
  let type = contentType || (body.length === 0 ? '' : guessType(body));
  const kind = type ? dataKind(type) : 'json';
  if (body.length > 0 && kind === 'json') {
    try {
      event.data = JSON.parse(body.toString('utf8'));
    } catch {
      type = 'text/plain';
      event.data = body.toString('utf8');
    }
  } else if (body.length > 0 && kind === 'binary') event.data_base64 = body.toString('base64');
  else if (body.length > 0) event.data = body.toString('utf8');
  if (type) event.datacontenttype = type;
  if (attributes.traceparent) event.traceparent = attributes.traceparent;
  if (attributes.tracestate) event.tracestate = attributes.tracestate;
  return { event, headers };
}

/** Binding events carry no content type: JSON when it parses, else text. */
function guessType(body: Buffer): string {
  try {
    JSON.parse(body.toString('utf8'));
    return 'application/json';
  } catch {
    return 'text/plain';
  }
}

/** The payload as bytes, for sinks that take bytes (bindings, app methods, state). */
export function payloadOf(message: RouteMessage): { body: Buffer; contentType: string } {
  const { event } = message;
  const declared = typeof event.datacontenttype === 'string' ? event.datacontenttype : '';
  if (typeof event.data_base64 === 'string') return { body: Buffer.from(event.data_base64, 'base64'), contentType: declared || 'application/octet-stream' };
  if (event.data === undefined) return { body: Buffer.alloc(0), contentType: declared };
  if (typeof event.data === 'string' && mediaType(declared) !== 'application/json') return { body: Buffer.from(event.data), contentType: declared || 'text/plain' };
  return { body: Buffer.from(JSON.stringify(event.data)), contentType: declared || 'application/json' };
}

/** A copy a step may change without touching the message it was given. */
export function copyMessage(message: RouteMessage): RouteMessage {
  return { event: { ...message.event }, headers: { ...message.headers } };
}
