import type { Redis } from 'ioredis';
import type { ComponentContext } from '../../../contracts/component.js';
import type { MessageHandler, PubSub, PubSubSubscription, PublishRequest, SubscribeRequest } from '../../../contracts/pubsub.js';
import { parseDuration } from '../../../util/duration.js';
import { closeRedis, connectRedis, readyWithin } from '../../_shared/redis/connection.js';
import { parseRedisSettings, type RedisMetadata } from '../../_shared/redis/settings.js';
import { StreamConsumer, type ConsumerOptions } from './stream-consumer.js';

/** Most time between reconnect attempts while Redis is unreachable: an attempt costs about 1 ms of CPU, on one connection per component. */
const RECONNECT_PACE_MS = 50;

export type RedisPubSubMetadata = RedisMetadata & {
  redeliverInterval: string;
  processingTimeout: string;
  queueDepth: number;
  concurrency: number;
  maxLenApprox?: number;
  streamTTL?: string;
};

/**
 * Redis Streams in daprd's wire format: stream key = topic, entry fields `data` (the payload) and
 * `metadata` (JSON of the publish metadata, only when there is some). Each subscription reads with
 * XREADGROUP in group = consumer = consumerId, acknowledges with XACK only after its handler resolved,
 * and reclaims entries left pending longer than `processingTimeout` (a failed or crashed delivery).
 */
class RedisPubSub implements PubSub<RedisPubSubMetadata> {
  #client?: Redis;
  #options?: Omit<ConsumerOptions, 'topic' | 'group'>;
  #trim: Array<string | number> = [];
  #streamTtlMs?: number;
  #address = '';
  readonly #consumers = new Set<StreamConsumer>();

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: RedisPubSubMetadata): Promise<void> {
    const settings = parseRedisSettings(md);
    const redeliverMs = durationField('redeliverInterval', md.redeliverInterval);
    const processingMs = durationField('processingTimeout', md.processingTimeout);
    if (md.streamTTL !== undefined) this.#streamTtlMs = durationField('streamTTL', md.streamTTL) || undefined;
    if (md.maxLenApprox !== undefined) {
      if (this.#streamTtlMs !== undefined) this.ctx.logger.warn('both maxLenApprox and streamTTL are set; trimming by maxLenApprox only');
      this.#streamTtlMs = undefined;
      this.#trim = ['MAXLEN', '~', md.maxLenApprox];
    }
    // daprd's stream readers retry at once and go-redis dials per command, so it sees Redis back within a
    // dial; ioredis only dials on its own schedule, so keep that schedule as tight while Redis is away.
    this.#client = await connectRedis({ ...settings, maxRetryMs: Math.min(settings.maxRetryMs, RECONNECT_PACE_MS) }, this.ctx.logger);
    this.#address = settings.address;
    this.#options = {
      client: this.#client,
      logger: this.ctx.logger,
      redeliverMs,
      processingMs,
      queueDepth: md.queueDepth,
      concurrency: md.concurrency,
      commandTimeoutMs: settings.commandTimeoutMs,
    };
  }

  features() {
    return [] as const;
  }

  async publish(req: PublishRequest): Promise<void> {
    const client = this.#connected();
    if (client.status !== 'ready') await readyWithin(client, this.#address);
    const trim = this.#streamTtlMs !== undefined ? ['MINID', '~', `${Date.now() - this.#streamTtlMs}-0`] : this.#trim;
    const fields: Array<string | Buffer> = ['data', req.data];
    if (Object.keys(req.metadata).length > 0) fields.push('metadata', JSON.stringify(req.metadata));
    await client.xadd(req.topic, ...(trim as string[]), '*', ...(fields as string[]));
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription> {
    this.#connected();
    const consumer = new StreamConsumer({ ...this.#options!, topic: req.topic, group: req.consumerId }, handler);
    await consumer.start();
    this.#consumers.add(consumer);
    return {
      close: async () => {
        this.#consumers.delete(consumer);
        await consumer.close();
      },
    };
  }

  async close(): Promise<void> {
    const consumers = [...this.#consumers];
    this.#consumers.clear();
    await Promise.all(consumers.map((c) => c.close()));
    const client = this.#client;
    this.#client = undefined;
    if (client) await closeRedis(client);
  }

  #connected(): Redis {
    if (!this.#client) throw new Error('redis pubsub is not connected');
    return this.#client;
  }
}

/** A duration in ms, where 0 keeps its meaning (disabled) rather than becoming a default. */
function durationField(name: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 0) throw new Error(`${name}: "${text}" is not a duration (e.g. "30s" or milliseconds)`);
  return ms;
}

export function createRedisPubSub(ctx: ComponentContext): RedisPubSub {
  return new RedisPubSub(ctx);
}
