import type { Logger } from 'pino';
import type { PubSub, PubSubMessage } from '../../contracts/pubsub.js';
import type { ContractGate } from '../../core/contract-gate.js';
import type { Router } from '../../core/subscriptions/routing.js';
import type { SubscriptionDefinition } from '../../core/subscriptions/subscription.js';
import type { EventChannel } from '../grpc-event-channel.js';
import { isSendableHeader } from '../../util/http-header.js';

/** Everything a subscription's delivery needs; one per active subscription. */
export interface DeliveryContext {
  pubsubName: string;
  pubsub: PubSub;
  subscription: SubscriptionDefinition;
  /** `rawPayload: "true"`: messages are not CloudEvents. */
  raw: boolean;
  router: Router;
  channel: EventChannel;
  logger: Logger;
  /** Runs a delivery under the inbound policy: retries with backoff while it throws. */
  retry<T>(fn: () => Promise<T>): Promise<T>;
  /** A reason when the app must not be called now (failing health checks). */
  appUnavailable(): string | undefined;
  /** Sees each hand-over to the app and its outcome (metrics). */
  observer?: DeliveryObserver;
  contracts?: ContractGate;
}

export interface DeliveryObserver {
  delivered(pubsubName: string, topic: string, processStatus: 'success' | 'retry' | 'drop', status: string, ms: number): void;
}

/** The app asked for a retry, or could not be reached; `httpStatus` lets resiliency match on it. */
export class RetriableDelivery extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'RetriableDelivery';
  }
}

/** The subscription is going away (its stream closed): neither retried nor dead-lettered; the broker keeps the message. */
export class DeliveryAborted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryAborted';
  }
}

const DEAD_LETTER_TIMEOUT_MS = 30_000;

/**
 * A message that will not be delivered (dropped by the app, expired, matching no rule): forwarded to
 * the dead-letter topic when there is one, and acknowledged either way.
 */
export async function deadLetterOrDrop(ctx: DeliveryContext, message: PubSubMessage, reason: string): Promise<void> {
  if (ctx.subscription.deadLetterTopic) await sendToDeadLetter(ctx, message, reason);
  else ctx.logger.warn({ topic: message.topic, reason }, 'message dropped');
}

/** Why the event breaks the subscriber's contract (then it is dead-lettered or dropped), or undefined. */
export function contractViolation(ctx: DeliveryContext, event: Record<string, unknown>): string | undefined {
  const why = ctx.contracts?.checks?.delivery(ctx.pubsubName, ctx.subscription.topic, event, ctx.subscription.deadLetterTopic);
  return why && `the event breaks the subscriber's contract: ${why}`;
}

/**
 * The gRPC app answered UNIMPLEMENTED: it has no handler for this pubsub, topic and path. daprd drops
 * such events without retrying or dead-lettering them; the log says so loudly, as an app that listed the
 * route itself (ListTopicSubscriptions) but cannot take its events is misconfigured, not busy.
 */
export function dropUnimplemented(ctx: DeliveryContext, path: string, eventIds: string[]): void {
  const { pubsubName, subscription } = ctx;
  const fields = { pubsubName, topic: subscription.topic, path, eventIds };
  const why = 'the app answered UNIMPLEMENTED (no handler for this pubsub, topic and path); events dropped, as daprd does';
  if (subscription.type === 'PROGRAMMATIC') ctx.logger.error(fields, `${why}, although the app listed this route in ListTopicSubscriptions`);
  else ctx.logger.warn(fields, why);
}

/**
 * A message whose delivery failed after its retries: forwarded to the dead-letter topic and acknowledged
 * when there is one; otherwise the error goes back to the broker, which redelivers the message later.
 */
export async function deadLetterOrFail(ctx: DeliveryContext, message: PubSubMessage, err: unknown): Promise<void> {
  const reason = err instanceof Error ? err.message : String(err);
  if (!ctx.subscription.deadLetterTopic || err instanceof DeliveryAborted) {
    ctx.logger.warn({ topic: message.topic, reason }, 'delivery failed; the broker will redeliver');
    throw err instanceof Error ? err : new Error(reason);
  }
  await sendToDeadLetter(ctx, message, reason);
}

/** Republishes the original bytes and metadata, as daprd does; a failure leaves the message unacknowledged. */
async function sendToDeadLetter(ctx: DeliveryContext, message: PubSubMessage, reason: string): Promise<void> {
  const topic = ctx.subscription.deadLetterTopic!;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`dead-letter publish timed out after ${DEAD_LETTER_TIMEOUT_MS} ms`)), DEAD_LETTER_TIMEOUT_MS);
  });
  try {
    await Promise.race([ctx.pubsub.publish({ topic, data: message.data, contentType: message.contentType, metadata: message.metadata }), timeout]);
  } finally {
    clearTimeout(timer);
  }
  ctx.logger.warn({ topic: message.topic, deadLetterTopic: topic, reason }, 'message sent to the dead-letter topic');
}

/**
 * The HTTP headers of a delivery: every broker metadata entry (Kafka headers, `__key`, …), the
 * component name as `pubsubName`, and the event's trace context. Entries that are not valid HTTP
 * headers are left out rather than failing the delivery.
 */
export function deliveryHeaders(message: PubSubMessage, pubsubName: string, event: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.metadata)) {
    if (name.toLowerCase() === 'content-length' || name.toLowerCase() === 'content-type') continue;
    if (isSendableHeader(name, value)) headers[name] = value;
  }
  headers.pubsubName = pubsubName;
  for (const k of ['traceparent', 'tracestate']) {
    const v = event[k];
    if (typeof v === 'string' && v !== '' && isSendableHeader(k, v)) headers[k] = v;
  }
  return headers;
}
