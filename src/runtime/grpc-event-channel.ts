import { toStruct } from '../util/proto-struct.js';
import type { AppRequest, AppResponse } from './app-channel.js';

/** A delivery; `topic` is the subscribed topic, which gRPC receivers get apart from the event's own. */
export type EventRequest = AppRequest & { topic?: string };

/**
 * An answer to a delivery; `unimplemented` when a gRPC app answered UNIMPLEMENTED (it has no handler for
 * the pubsub, topic and path), which daprd treats as a drop that is neither retried nor dead-lettered.
 */
export type EventResponse = AppResponse & { unimplemented?: true };

/**
 * The part of the app channel the pub/sub delivery uses; `grpcRoutes` when its subscriptions are read as
 * daprd reads a gRPC app's (a subscription without routes delivers to the empty path).
 */
export type EventChannel = { readonly grpcRoutes?: boolean; invoke(req: EventRequest): Promise<EventResponse> };

/** A target's answer for an event or a bulk delivery the app has no handler for (gRPC UNIMPLEMENTED). */
export const UNIMPLEMENTED = 'UNIMPLEMENTED';

/** Whoever takes TopicEventRequests and answers a status name: a gRPC app, or a subscription stream. */
export interface TopicEventTarget {
  listTopicSubscriptions(): Promise<ProtoSubscription[]>;
  /** Resolves `SUCCESS`, `RETRY`, `DROP` or {@link UNIMPLEMENTED}. */
  onTopicEvent(event: TopicEventRequest): Promise<string>;
  /** A bulk delivery: each entry id's status, or one status for every entry (the call failed, or UNIMPLEMENTED). */
  onBulkTopicEvent?(request: TopicEventBulkRequest): Promise<Map<string, string> | string>;
}

export type TopicEventBulkRequest = ReturnType<typeof bulkRequest>;

export type TopicEventRequest = ReturnType<typeof topicEvent>;

// Attributes with a field of their own; every other one (topic and pubsubname too, as daprd sends them)
// travels in `extensions`.
const STANDARD = new Set(['id', 'source', 'type', 'specversion', 'datacontenttype', 'data', 'data_base64']);

/**
 * Lets the subscription machinery, which speaks the HTTP app contract, reach a gRPC app: `GET
 * /dapr/subscribe` becomes ListTopicSubscriptions, a CloudEvent `POST <route>` becomes OnTopicEvent, a bulk
 * delivery becomes one OnTopicEvent per entry; answers come back in the HTTP shapes daprd's apps use.
 */
export function grpcEventChannel(app: TopicEventTarget): EventChannel {
  return {
    grpcRoutes: true,
    async invoke(req: EventRequest): Promise<EventResponse> {
      if (req.method === 'GET' && req.path === '/dapr/subscribe') return json(200, (await app.listTopicSubscriptions()).map(toHttpSubscription));
      const body = JSON.parse(req.body?.toString('utf8') || 'null') as Record<string, unknown> | null;
      if (body && Array.isArray(body.entries) && app.onBulkTopicEvent) {
        const request = bulkRequest(body, req);
        const answer = await app.onBulkTopicEvent(request);
        if (answer === UNIMPLEMENTED) return unimplemented();
        const statuses = request.entries.map((e) => ({ entryId: e.entry_id, status: typeof answer === 'string' ? answer : answer.get(e.entry_id) ?? 'RETRY' }));
        return json(200, { statuses });
      }
      if (body && Array.isArray(body.entries)) {
        const statuses = [];
        for (const entry of body.entries as Array<Record<string, unknown>>) {
          const status = await app.onTopicEvent(topicEvent(asEvent(entry.event), req.path, String(body.pubsubname ?? ''), String(body.topic ?? '')));
          statuses.push({ entryId: entry.entryId, status });
        }
        return json(200, { statuses });
      }
      const event = asEvent(body);
      const pubsubName = req.headers?.pubsubName ?? String(event.pubsubname ?? '');
      const status = await app.onTopicEvent(topicEvent(event, req.path, pubsubName, req.topic ?? String(event.topic ?? '')));
      return status === UNIMPLEMENTED ? unimplemented() : json(200, { status });
    },
  };
}

function asEvent(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { data: v };
}

/**
 * A CloudEvent as TopicEventRequest: data as bytes (JSON data re-encoded, text as it is, data_base64
 * decoded), other attributes as extensions.
 */
function topicEvent(e: Record<string, unknown>, path: string, pubsubName: string, topic: string) {
  const data =
    typeof e.data_base64 === 'string'
      ? Buffer.from(e.data_base64, 'base64')
      : e.data === undefined
        ? Buffer.alloc(0)
        : Buffer.from(typeof e.data === 'string' && !/json/i.test(String(e.datacontenttype ?? '')) ? e.data : JSON.stringify(e.data));
  const extensions = toStruct(Object.fromEntries(Object.entries(e).filter(([k]) => !STANDARD.has(k))));
  return {
    id: String(e.id ?? ''),
    source: String(e.source ?? ''),
    type: String(e.type ?? ''),
    spec_version: String(e.specversion ?? ''),
    data_content_type: String(e.datacontenttype ?? ''),
    topic,
    data,
    pubsub_name: pubsubName,
    path,
    extensions,
  };
}

/** The HTTP bulk envelope as TopicEventBulkRequest: CloudEvent entries as `cloud_event`, raw ones as bytes. */
function bulkRequest(body: Record<string, unknown>, req: EventRequest) {
  const entries = (body.entries as Array<Record<string, unknown>>).map((entry) => {
    const contentType = String(entry.contentType ?? '');
    const metadata = (entry.metadata ?? {}) as Record<string, string>;
    if (/cloudevents/i.test(contentType)) {
      const { topic: _t, pubsub_name: _p, path: _path, ...ce } = topicEvent(asEvent(entry.event), '', '', '');
      // daprd leaves content_type empty on CloudEvent entries: the event carries its own.
      return { entry_id: String(entry.entryId), cloud_event: ce, content_type: '', metadata };
    }
    const raw = typeof entry.event === 'string' ? Buffer.from(entry.event, 'base64') : Buffer.from(JSON.stringify(entry.event ?? null));
    return { entry_id: String(entry.entryId), bytes: raw, content_type: contentType, metadata };
  });
  return {
    id: String(body.id ?? ''),
    entries,
    metadata: { ...(body.metadata as Record<string, string> | undefined), pubsubName: String(body.pubsubname ?? '') },
    topic: req.topic ?? String(body.topic ?? ''),
    pubsub_name: String(body.pubsubname ?? ''),
    type: String(body.type ?? ''),
    path: req.path,
  };
}

interface ProtoSubscription {
  pubsub_name: string;
  topic: string;
  metadata: Record<string, string>;
  routes: { rules: Array<{ match: string; path: string }>; default: string } | null;
  dead_letter_topic: string;
  bulk_subscribe: { enabled: boolean; max_messages_count: number; max_await_duration_ms: number } | null;
}

function toHttpSubscription(s: ProtoSubscription) {
  return {
    pubsubname: s.pubsub_name,
    topic: s.topic,
    metadata: s.metadata,
    routes: { rules: s.routes?.rules ?? [], default: s.routes?.default ?? '' },
    ...(s.dead_letter_topic ? { deadLetterTopic: s.dead_letter_topic } : {}),
    ...(s.bulk_subscribe?.enabled
      ? { bulkSubscribe: { enabled: true, maxMessagesCount: s.bulk_subscribe.max_messages_count, maxAwaitDurationMs: s.bulk_subscribe.max_await_duration_ms } }
      : {}),
  };
}

function unimplemented(): EventResponse {
  return { ...json(200, {}), unimplemented: true };
}

function json(status: number, value: unknown): AppResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}
