import type { Channel } from 'amqplib';
import type { RabbitMqMetadata } from './rabbitmq-pubsub.js';

/** What one subscription declares, from the component metadata and the subscription's own metadata. */
export interface QueueTopology {
  exchange: string;
  queue: string;
  /** Binding keys (subscription metadata `routingKey`, comma separated; one empty key by default). */
  bindingKeys: string[];
  arguments: Record<string, unknown>;
  deadLetter?: { exchange: string; queue: string };
}

const QUEUE_TYPES = ['classic', 'quorum'];

/**
 * daprd's naming and arguments, so a Mecha sidecar and a daprd sidecar declare the same exchange and
 * queue identically (RabbitMQ refuses a re-declaration with different arguments): queue
 * `<consumerID>-<topic>` unless `queueName`, dead letters through `dlx-<queue>` into `dlq-<queue>`.
 * Throws naming the subscription metadata key that is not valid.
 */
export function queueTopology(topic: string, consumerId: string, md: RabbitMqMetadata, sub: Record<string, string>): QueueTopology {
  const queue = sub.queueName || `${consumerId}-${topic}`;
  const args: Record<string, unknown> = {};
  let deadLetter: QueueTopology['deadLetter'];
  if (md.enableDeadLetter) {
    deadLetter = { exchange: `dlx-${queue}`, queue: `dlq-${queue}` };
    args['x-dead-letter-exchange'] = deadLetter.exchange;
  }
  Object.assign(args, lengthLimits(md));
  const maxPriority = subscriptionInteger(sub, 'maxPriority');
  if (maxPriority !== undefined) args['x-max-priority'] = Math.min(maxPriority, 255);
  const queueType = sub.queueType || 'classic';
  if (!QUEUE_TYPES.includes(queueType)) throw new Error(`subscription metadata queueType: "${queueType}" is not one of ${QUEUE_TYPES.join(', ')}`);
  args['x-queue-type'] = queueType;
  if (/^(1|t|true|y|yes|on)$/i.test(sub.singleActiveConsumer ?? '')) args['x-single-active-consumer'] = true;
  const maxLenBytes = subscriptionInteger(sub, 'maxLenBytes');
  if (maxLenBytes !== undefined) args['x-max-length-bytes'] = maxLenBytes;
  const maxLen = subscriptionInteger(sub, 'maxLen');
  if (maxLen !== undefined) args['x-max-length'] = maxLen;
  return { exchange: topic, queue, bindingKeys: (sub.routingKey ?? '').split(','), arguments: args, deadLetter };
}

/** Declares the exchange, the dead-letter pair when enabled, the queue and its bindings. */
export async function declareTopology(ch: Channel, t: QueueTopology, md: RabbitMqMetadata): Promise<void> {
  await ch.assertExchange(t.exchange, md.exchangeKind, { durable: md.durable, autoDelete: md.deletedWhenUnused });
  if (t.deadLetter) {
    // As daprd: the dead-letter exchange and queue are always durable; the queue is lazy (kept on disk).
    await ch.assertExchange(t.deadLetter.exchange, 'fanout', { durable: true, autoDelete: md.deletedWhenUnused });
    const dlqArgs = { ...lengthLimits(md), 'x-queue-mode': 'lazy' };
    await ch.assertQueue(t.deadLetter.queue, { durable: true, autoDelete: md.deletedWhenUnused, arguments: dlqArgs });
    await ch.bindQueue(t.deadLetter.queue, t.deadLetter.exchange, '');
  }
  await ch.assertQueue(t.queue, { durable: md.durable, autoDelete: md.deletedWhenUnused, arguments: t.arguments });
  for (const key of t.bindingKeys) await ch.bindQueue(t.queue, t.exchange, key);
}

function lengthLimits(md: RabbitMqMetadata): Record<string, number> {
  const args: Record<string, number> = {};
  if (md.maxLen) args['x-max-length'] = md.maxLen;
  if (md.maxLenBytes) args['x-max-length-bytes'] = md.maxLenBytes;
  return args;
}

function subscriptionInteger(sub: Record<string, string>, key: string): number | undefined {
  const raw = sub[key];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new Error(`subscription metadata ${key}: "${raw}" is not a non-negative integer`);
  return Number(raw);
}
