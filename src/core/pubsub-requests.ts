/** Transport-neutral requests of the pub/sub building block (HTTP and gRPC decode into these). */

/** The trace context of the publish call, continued for the event (`traceparent`, `tracestate`). */
export interface TraceContext {
  traceparent: string;
  tracestate: string;
}

export interface PublishEventRequest extends TraceContext {
  pubsubName: string;
  topic: string;
  data: Buffer;
  /** The publisher's Content-Type; `text/plain` when absent. */
  contentType?: string;
  /** `metadata.*` of the request, prefix removed. */
  metadata: Record<string, string>;
}

export interface BulkPublishEventEntry {
  entryId: string;
  /** The entry's payload bytes, already decoded from the transport's representation. */
  event: Buffer;
  contentType: string;
  metadata: Record<string, string>;
}

export interface BulkPublishEventRequest extends TraceContext {
  pubsubName: string;
  topic: string;
  entries: BulkPublishEventEntry[];
  /** Request-level metadata, merged under each entry's own (the entry wins). */
  metadata: Record<string, string>;
}

export interface BulkPublishEventResponse {
  failedEntries: Array<{ entryId: string; error: string }>;
}
