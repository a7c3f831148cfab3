import { pubsubResource } from '../../core/pubsub-api.js';
import { dataKind, isCloudEventContentType, mediaType } from '../../core/pubsub-envelope.js';
import type { BulkPublishEventEntry, BulkPublishEventResponse } from '../../core/pubsub-requests.js';
import { Errors } from '../../errors/codes.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import { depthExceededAt, depthMessage, stringifyJson } from '../../util/json-text.js';
import { field, isObject, typeName } from './request.js';


/**
 * Decodes a bulk publish body: `[{"entryId","event","contentType","metadata"}]`, each `event` turned into
 * bytes as its `contentType` says (base64 for octet-stream, a string for text, any JSON for JSON).
 */
export function decodeBulkPublish(body: unknown, pubsubName: string, topic: string): BulkPublishEventEntry[] {
  const resource = pubsubResource(pubsubName);
  const unmarshal = (message: string) => new SidecarError(Errors.PubSubUnmarshalEvents, message, { resource });
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  let parsed: unknown;
  try {
    const tooDeep = depthExceededAt(text);
    if (tooDeep) throw new Error(depthMessage(tooDeep));
    parsed = JSON.parse(text);
  } catch (err) {
    throw unmarshal(`error when unmarshaling the request for topic ${topic} pubsub ${pubsubName}: ${(err as Error).message}`);
  }
  if (parsed === null) return []; // Go decodes `null` into no entries
  if (!Array.isArray(parsed)) throw unmarshal(`error when unmarshaling the request for topic ${topic} pubsub ${pubsubName}: the body must be a JSON array of entries, got ${typeName(parsed)}`);
  return parsed.map((raw: unknown, i) => {
    const at = `entries[${i}]`;
    if (!isObject(raw)) throw unmarshal(`${at} must be an object, got ${typeName(raw)}`);
    const entryId = field(raw, 'entryId') ?? '';
    if (typeof entryId !== 'string') throw unmarshal(`${at}.entryId must be a string, got ${typeName(entryId)}`);
    const contentType = field(raw, 'contentType') ?? '';
    if (typeof contentType !== 'string') throw unmarshal(`${at}.contentType must be a string, got ${typeName(contentType)}`);
    return { entryId, contentType, event: eventBytes(field(raw, 'event'), contentType, at, resource), metadata: stringMap(field(raw, 'metadata'), `${at}.metadata`, unmarshal) };
  });
}

function eventBytes(event: unknown, contentType: string, at: string, resource: { type: string; name: string }): Buffer {
  const media = mediaType(contentType);
  const mismatch = () => new SidecarError(Errors.PubSubMarshalEvents, `${at}.event: mismatch between contentType "${contentType}" and event`, { resource });
  if (media === 'application/json' || isCloudEventContentType(contentType)) return Buffer.from(stringifyJson(event ?? null));
  if (media === '') throw new SidecarError(Errors.PubSubMarshalEnvelope, `${at}.contentType is required`, { resource });
  if (!(media.startsWith('text/') || media === 'application/xml' || dataKind(contentType) === 'binary')) throw mismatch();
  if (typeof event !== 'string') throw mismatch();
  if (dataKind(contentType) !== 'binary') return Buffer.from(event);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(event)) throw new SidecarError(Errors.PubSubMarshalEvents, `${at}.event must be base64 for contentType "${contentType}"`, { resource });
  return Buffer.from(event, 'base64');
}

function stringMap(v: unknown, at: string, unmarshal: (message: string) => SidecarError): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw unmarshal(`${at} must be an object of strings, got ${typeName(v)}`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    // Go's map[string]string takes strings (and null as ""), nothing else.
    if (val !== null && typeof val !== 'string') throw unmarshal(`${at}.${k} must be a string, got ${typeName(val)}`);
    out[k] = val ?? '';
  }
  return out;
}

/** daprd's answer to a partly failed bulk publish. */
export function encodeBulkFailure(res: BulkPublishEventResponse): string {
  return JSON.stringify({ failedEntries: res.failedEntries, errorCode: Errors.PubSubPublishMessage.code });
}
