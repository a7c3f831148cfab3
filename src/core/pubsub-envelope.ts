import { randomUUID } from 'node:crypto';
import { stringifyJson } from '../util/json-text.js';

export const CLOUDEVENT_CONTENT_TYPE = 'application/cloudevents+json';
export const DEFAULT_EVENT_TYPE = 'com.dapr.event.sent';
export const DEFAULT_EVENT_SOURCE = 'Dapr';
const DEFAULT_DATA_CONTENT_TYPE = 'text/plain';

/** The lower-case media type without parameters: `Application/JSON; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function isCloudEventContentType(contentType: string | undefined): boolean {
  return mediaType(contentType) === CLOUDEVENT_CONTENT_TYPE;
}

/** Where a payload goes in the envelope, by daprd's content-type classification. */
export function dataKind(contentType: string | undefined): 'json' | 'binary' | 'text' {
  const media = mediaType(contentType);
  if (media === 'application/json') return 'json';
  if (media === 'application/octet-stream' || media === 'application/cloudevents+protobuf') return 'binary';
  return 'text';
}

/** Everything the sidecar adds to an event besides the payload. */
export interface EnvelopeContext {
  /** The publisher's app-id. */
  source: string;
  topic: string;
  pubsubName: string;
  traceparent: string;
  tracestate: string;
  /** RFC 3339; set when a TTL was requested and the broker has no native TTL. */
  expiration?: string;
  /** `metadata.cloudevent.<name>` values, prefix removed: id, source, type, subject, traceparent, traceid, tracestate. */
  overrides: Record<string, string>;
  now: Date;
}

/** RFC 3339 in UTC without fractional seconds, as daprd writes `time` and `expiration`. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Wraps a payload in a new CloudEvent 1.0 exactly as daprd does. A JSON payload is embedded as the
 * original text rather than re-serialised, so numbers beyond double precision survive as daprd keeps
 * them; a payload that is not valid JSON becomes a string. Like daprd, the envelope is written as given:
 * `metadata.cloudevent.*` overrides are not validated (a `source` that is not a URI reference is kept).
 * Attributes come in the order the CloudEvents SDK writes them; `undefined` ones are left out.
 */
export function newEnvelope(data: Buffer, contentType: string | undefined, ctx: EnvelopeContext): Buffer {
  const o = ctx.overrides;
  const datacontenttype = contentType || DEFAULT_DATA_CONTENT_TYPE;
  let kind = dataKind(datacontenttype);
  const text = data.toString('utf8');
  if (kind === 'json' && !isJson(text)) kind = 'text';
  const traceparent = o.traceparent || o.traceid || ctx.traceparent;
  const json = JSON.stringify({
    id: o.id || randomUUID(),
    time: rfc3339(ctx.now),
    type: o.type || DEFAULT_EVENT_TYPE,
    source: o.source || ctx.source || DEFAULT_EVENT_SOURCE,
    specversion: '1.0',
    datacontenttype,
    subject: o.subject || undefined,
    data_base64: kind === 'binary' ? data.toString('base64') : undefined,
    data: kind === 'text' ? text : undefined,
    topic: ctx.topic,
    pubsubname: ctx.pubsubName,
    traceid: traceparent,
    traceparent,
    tracestate: o.tracestate ?? ctx.tracestate,
    expiration: ctx.expiration || undefined,
  });
  return Buffer.from(kind === 'json' ? `${json.slice(0, -1)},"data":${text.trim()}}` : json);
}

/**
 * Completes a CloudEvent the publisher built itself (`Content-Type: application/cloudevents+json`):
 * `topic` and `pubsubname` overwritten, trace fields and `time` added when absent, `source`, `type` and
 * `specversion` defaulted, as daprd's FromCloudEvent does. Throws when the body is not a JSON object.
 */
export function completeCloudEvent(body: Buffer, ctx: EnvelopeContext): Buffer {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body is not a JSON object');
  const event = parsed as Record<string, unknown>;
  event.traceid ??= ctx.traceparent;
  event.traceparent ??= ctx.traceparent;
  event.tracestate ??= ctx.tracestate;
  event.topic = ctx.topic;
  event.pubsubname = ctx.pubsubName;
  event.source ??= DEFAULT_EVENT_SOURCE;
  event.type ??= DEFAULT_EVENT_TYPE;
  event.specversion ??= '1.0';
  event.time ??= rfc3339(ctx.now);
  if (ctx.expiration) event.expiration = ctx.expiration;
  return Buffer.from(stringifyJson(event));
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
