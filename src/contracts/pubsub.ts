import type { Component } from './component.js';

/**
 * Optional abilities a pub/sub broker declares, named as daprd names them; the metadata API reports
 * them as the component's capabilities.
 */
export const PubSubFeature = {
  /** The broker expires messages itself when `PublishRequest.ttlInSeconds` is set. */
  MessageTtl: 'MESSAGE_TTL',
  /** Topics in `subscribe` may contain the broker's wildcards (`+`, `#`, `*`, `>`). */
  SubscribeWildcards: 'SUBSCRIBE_WILDCARDS',
  /** The adapter implements `bulkPublish` natively (see `BulkPublishPubSub`). */
  BulkPublish: 'BULK_PUBSUB',
} as const;
export type PubSubFeature = (typeof PubSubFeature)[keyof typeof PubSubFeature];

/**
 * Metadata keys with a meaning shared by every broker. Publish metadata (`metadata.*` query parameters
 * minus the sidecar's own keys) reaches the adapter unchanged in `PublishRequest.metadata`.
 */
export const PubSubMetadataKey = {
  /** Brokers with partitions route messages with the same key to the same partition, in order. */
  PartitionKey: 'partitionKey',
  /** Kafka's alias of `partitionKey`; also the record key reported on delivery. */
  Key: '__key',
  /** Seconds until expiry, as the publisher gave it; mirrored in `PublishRequest.ttlInSeconds`. */
  TtlInSeconds: 'ttlInSeconds',
  /** `"true"`: the payload is not a CloudEvent. The runtime handles it; adapters may ignore it. */
  RawPayload: 'rawPayload',
} as const;

/** One message to publish. `data` is the final payload: a CloudEvent JSON, or raw bytes. */
export interface PublishRequest {
  topic: string;
  data: Buffer;
  /** `application/cloudevents+json` for envelopes; the publisher's content type for raw payloads. */
  contentType?: string;
  /**
   * Broker metadata (Kafka headers, routing keys, `partitionKey`, …). Adapters that carry headers
   * write every entry as a header so that `PubSubMessage.metadata` returns it on delivery.
   */
  metadata: Record<string, string>;
  /**
   * Set only when the adapter declares `MESSAGE_TTL`: expire the message after this many seconds.
   * Otherwise the runtime writes an `expiration` attribute into the CloudEvent and drops it on delivery.
   */
  ttlInSeconds?: number;
}

/** One message as the broker hands it to the runtime. */
export interface PubSubMessage {
  topic: string;
  /** The payload bytes exactly as published. */
  data: Buffer;
  contentType?: string;
  /**
   * Broker metadata forwarded to the app as HTTP headers: the publish metadata the broker carried
   * plus delivery facts (Kafka `__key`, `__partition`, `__offset`, `__topic`, `__timestamp`).
   */
  metadata: Record<string, string>;
  /** The broker's own identifier (stream entry id, `partition/offset`), used only in logs. */
  brokerId?: string;
}

/**
 * Receives each message. Delivery rule every adapter follows:
 * - the promise resolves ⇒ the adapter acknowledges the message to the broker (XACK, commit offset);
 * - the promise rejects ⇒ the adapter does NOT acknowledge; the broker redelivers it later (pending-entry
 *   reclaim, uncommitted offset, requeue), to this or another consumer of the same group;
 * - a message is never acknowledged before its handler settled, so a killed sidecar loses nothing.
 * Retries with backoff, dead-lettering and TTL expiry happen inside the handler (the runtime's), so an
 * adapter never retries on its own beyond that broker redelivery, and never drops a rejected message.
 */
export type MessageHandler = (message: PubSubMessage) => Promise<void>;

export interface SubscribeRequest {
  topic: string;
  /**
   * Consumer group and consumer identity: the component's `consumerID` metadata, else the app-id
   * (daprd's rule). The runtime resolves it and passes the same value on every `subscribe` call of one
   * instance. Sidecars with the same value are competing consumers (each message to one of them);
   * different values each receive every message. Adapter metadata such as Kafka's `consumerGroup` may
   * override it for the broker, as daprd's adapters do.
   */
  consumerId: string;
  /** Subscription metadata (`spec.metadata` / `/dapr/subscribe` `metadata`), e.g. `rawPayload`. */
  metadata: Record<string, string>;
}

/** A running subscription. */
export interface PubSubSubscription {
  /**
   * Stops fetching and waits (bounded by the adapter) for in-flight handlers to settle. Messages not yet
   * acknowledged stay with the broker for redelivery. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** Required core of every pub/sub broker. */
export interface PubSub<M = Record<string, unknown>> extends Component<M> {
  features(): readonly PubSubFeature[];
  /** Resolves once the broker has accepted the message (persisted where the broker persists). */
  publish(req: PublishRequest): Promise<void>;
  /**
   * Starts consuming `req.topic`; resolves once the subscription is registered with the broker, so a
   * message published after it resolves is delivered (for consumer groups created here: from then on).
   * The runtime subscribes to a topic at most once per instance and closes its subscriptions before the
   * instance; `close()` still ends any subscription left open.
   */
  subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription>;
}

export interface BulkPublishEntry {
  entryId: string;
  data: Buffer;
  contentType?: string;
  metadata: Record<string, string>;
  ttlInSeconds?: number;
}

export interface BulkPublishRequest {
  topic: string;
  entries: BulkPublishEntry[];
  /** Request-level metadata; each entry's own metadata already contains it merged (entry wins). */
  metadata: Record<string, string>;
}

/** Entries the broker refused; an empty list means all were accepted. */
export interface BulkPublishResult {
  failedEntries: Array<{ entryId: string; error: string }>;
}

/** Brokers that accept many messages in one call. Without it the runtime publishes entry by entry. */
export interface BulkPublishPubSub<M = Record<string, unknown>> extends PubSub<M> {
  bulkPublish(req: BulkPublishRequest): Promise<BulkPublishResult>;
}

export function hasBulkPublish(pubsub: PubSub): pubsub is BulkPublishPubSub {
  return typeof (pubsub as Partial<BulkPublishPubSub>).bulkPublish === 'function';
}
