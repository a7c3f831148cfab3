import { connect, type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from 'amqplib';
import type { ComponentContext } from '../../../contracts/component.js';
import { PubSubFeature, type MessageHandler, type PublishRequest, type PubSub, type PubSubSubscription, type SubscribeRequest } from '../../../contracts/pubsub.js';
import { parseDuration } from '../../../util/duration.js';
import { QueueConsumer } from './queue-consumer.js';

export type RabbitMqMetadata = {
  connectionString: string;
  consumerID?: string;
  durable: boolean;
  deletedWhenUnused: boolean;
  deliveryMode: 0 | 1 | 2;
  requeueInFailure: boolean;
  enableDeadLetter: boolean;
  prefetchCount: number;
  concurrencyMode: 'parallel' | 'single';
  exchangeKind: 'fanout' | 'topic' | 'direct' | 'headers';
  routingKey: string;
  maxLen?: number;
  maxLenBytes?: number;
  ttlInSeconds?: number;
  reconnectWait: string;
  clientName?: string;
};

/**
 * RabbitMQ as daprd's pubsub.rabbitmq: an exchange per topic (fanout by default), a queue per consumer
 * id and topic (`<consumerID>-<topic>`) bound to it, publishes confirmed by the broker, a message
 * acknowledged only after the app accepted it and requeued (or dead-lettered) when it refused. The
 * connection recovers by itself; every channel, queue and consumer is set up again on reconnection.
 */
class RabbitMqPubSub implements PubSub<RabbitMqMetadata> {
  #md!: RabbitMqMetadata;
  #connection?: RecoveringChannelModel;
  #publisher?: Promise<ConfirmChannel>;
  readonly #declared = new Set<string>();
  readonly #consumers = new Set<QueueConsumer>();

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: RabbitMqMetadata): Promise<void> {
    this.#md = md;
    const maxDelay = parseDuration(md.reconnectWait) ?? 3000;
    try {
      this.#connection = await connect(md.connectionString, {
        clientProperties: md.clientName ? { connection_name: md.clientName } : undefined,
        recovery: { initialDelay: 100, maxDelay, initialMaxRetries: 2, setup: (model: ChannelModel) => this.#setup(model) },
      });
    } catch (err) {
      throw new Error(`cannot connect to RabbitMQ at ${new URL(md.connectionString).host}: ${(err as Error).message}`);
    }
    this.#connection.on('disconnect', (err: Error) => this.ctx.logger.warn({ err: err.message }, 'RabbitMQ connection lost; reconnecting'));
  }

  features() {
    return [PubSubFeature.MessageTtl] as const;
  }

  async publish(req: PublishRequest): Promise<void> {
    const ch = await this.#channel();
    await this.#exchange(ch, req.topic);
    const ttl = req.ttlInSeconds ?? this.#md.ttlInSeconds;
    const options = {
      persistent: this.#md.deliveryMode === 2,
      contentType: req.contentType,
      headers: req.metadata,
      ...(ttl !== undefined ? { expiration: String(ttl * 1000) } : {}),
    };
    await new Promise<void>((resolve, reject) =>
      ch.publish(req.topic, req.metadata.routingKey ?? this.#md.routingKey, req.data, options, (err) => (err ? reject(new Error('the broker did not confirm the message')) : resolve())),
    );
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription> {
    const queue = `${this.#md.consumerID || req.consumerId}-${req.topic}`;
    const consumer = new QueueConsumer(req.topic, queue, this.#md, handler, this.ctx.logger, () => this.#consumers.delete(consumer));
    this.#consumers.add(consumer);
    await consumer.start(this.#connection!);
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#consumers].map((c) => c.close()));
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  /** After every (re)connection: a fresh publish channel, and every consumer's channel and topology. */
  async #setup(model: ChannelModel): Promise<void> {
    this.#declared.clear();
    this.#publisher = undefined;
    for (const c of this.#consumers) await c.start(model);
  }

  #channel(): Promise<ConfirmChannel> {
    if (!this.#connection) return Promise.reject(new Error('RabbitMQ connection closed'));
    this.#publisher ??= this.#connection.createConfirmChannel().then((ch) => {
      ch.on('close', () => (this.#publisher = undefined, this.#declared.clear()));
      ch.on('error', (err: Error) => this.ctx.logger.warn({ err: err.message }, 'RabbitMQ publish channel error'));
      return ch;
    });
    this.#publisher.catch(() => (this.#publisher = undefined));
    return this.#publisher;
  }

  async #exchange(ch: ConfirmChannel, topic: string): Promise<void> {
    if (this.#declared.has(topic)) return;
    await ch.assertExchange(topic, this.#md.exchangeKind, { durable: this.#md.durable });
    this.#declared.add(topic);
  }
}

export function createRabbitMqPubSub(ctx: ComponentContext): RabbitMqPubSub {
  return new RabbitMqPubSub(ctx);
}
