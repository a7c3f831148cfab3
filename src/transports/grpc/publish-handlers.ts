import type { Metadata } from '@grpc/grpc-js';
import type { PubSubApi } from '../../core/pubsub-api.js';
import type { TraceContext } from '../../core/pubsub-requests.js';
import { mapOf, unary, type CallGuard, type UnaryHandler } from './handler.js';

interface PublishEventRequest {
  pubsub_name: string;
  topic: string;
  data: Buffer;
  data_content_type: string;
  metadata: Record<string, string>;
}

interface BulkPublishRequest {
  pubsub_name: string;
  topic: string;
  entries: Array<{ entry_id: string; event: Buffer; content_type: string; metadata: Record<string, string> }>;
  metadata: Record<string, string>;
}

/** PublishEvent and both bulk names: the same pub/sub core as the HTTP routes. */
export function publishHandlers(pubsub: PubSubApi, guard: CallGuard): Record<string, UnaryHandler> {
  const bulk = unary(guard, async (r: BulkPublishRequest, md: Metadata) => {
    pubsub.checkTarget(r.pubsub_name, r.topic);
    const result = await pubsub.bulkPublish({
      pubsubName: r.pubsub_name,
      topic: r.topic,
      entries: r.entries.map((e) => ({ entryId: e.entry_id, event: e.event ?? Buffer.alloc(0), contentType: e.content_type, metadata: mapOf(e.metadata) })),
      metadata: mapOf(r.metadata),
      ...traceOf(md),
    });
    // Failures travel in the answer, not as a gRPC error.
    return { failedEntries: result.failedEntries.map((f) => ({ entry_id: f.entryId, error: f.error })) };
  });
  return {
    PublishEvent: unary(guard, async (r: PublishEventRequest, md: Metadata) => {
      await pubsub.publish({
        pubsubName: r.pubsub_name,
        topic: r.topic,
        data: r.data ?? Buffer.alloc(0),
        contentType: r.data_content_type || undefined,
        metadata: mapOf(r.metadata),
        ...traceOf(md),
      });
      return {};
    }),
    BulkPublishEvent: bulk,
    BulkPublishEventAlpha1: bulk,
  };
}

function traceOf(md: Metadata): TraceContext {
  const get = (k: string) => String(md.get(k)[0] ?? '');
  return { traceparent: get('traceparent'), tracestate: get('tracestate') };
}
