import { connect, type ChannelModel, type ConfirmChannel, type Options, type RecoveringChannelModel } from 'amqplib';
import type { ComponentContext } from '../../../contracts/component.js';
import { PubSubFeature, type MessageHandler, type PublishRequest, type PubSub, type PubSubSubscription, type SubscribeRequest } from '../../../contracts/pubsub.js';
import { withDeadline } from '../../../util/deadline.js';
import { parseDuration } from '../../../util/duration.js';
import { amqpTarget, publishProperties } from './amqp-connection.js';
import { QueueConsumer } from './queue-consumer.js';
import { queueTopology } from './queue-topology.js';

export type RabbitMqMetadata = {
  connectionString?: string;
  protocol?: 'amqp' | 'amqps';
  hostname: string;
  username?: string;
  password?: string;
  consumerID?: string;
  durable: boolean;
  deletedWhenUnused: boolean;
  autoAck: boolean;
  requeueInFailure: boolean;
  enableDeadLetter: boolean;
  deliveryMode: 0 | 1 | 2;
  prefetchCount: number;
  concurrencyMode: 'parallel' | 'single';
  exchangeKind: 'fanout' | 'topic' | 'direct' | 'headers';
  maxLen?: number;
  maxLenBytes?: number;
  ttlInSeconds?: number;
  reconnectWaitSeconds: string;
  heartBeat: string;
  publisherConfirm: boolean;
  clientName?: string;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  saslExternal: boolean;
  publishMessagePropertiesToMetadata: boolean;
};

/** Longest a publish or a first subscription waits for a connection that is being recovered. */
const WAIT_FOR_BROKER_MS = 20_000;

/**
 * RabbitMQ as daprd's pubsub.rabbitmq: an exchange per topic (fanout by default), a queue per consumer
 * id and topic bound to it, publishes confirmed by the broker, a message acknowledged only after the app
 * accepted it and requeued (or dead-lettered) when it refused. The connection recovers by itself; every
 * consumer then declares its topology and consumes again.
 */
class RabbitMqPubSub implements PubSub<RabbitMqMetadata> {
  #md!: RabbitMqMetadata;
  #connection?: RecoveringChannelModel;
  /** The live connection (set by the recovery setup, cleared on disconnection). */
  #live?: ChannelModel;
  #publisher?: Promise<ConfirmChannel>;
  readonly #declared = new Set<string>();
  readonly #consumers = new Set<QueueConsumer>();
  #reconnectWaitMs = 3000;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: RabbitMqMetadata): Promise<void> {
    this.#md = md;
    const wait = parseDuration(md.reconnectWaitSeconds, 's');
    if (wait === undefined || wait < 0) throw new Error(`reconnectWaitSeconds "${md.reconnectWaitSeconds}" is not a duration`);
    this.#reconnectWaitMs = wait;
    const target = amqpTarget(md);
    try {
      this.#connection = await connect(target.url, {
        ...target.socketOptions,
        recovery: { initialDelay: 100, maxDelay: Math.max(100, wait), initialMaxRetries: 2, setup: (model: ChannelModel) => this.#setup(model) },
      });
    } catch (err) {
      throw new Error(`cannot connect to RabbitMQ at ${target.address}: ${(err as Error).message}`);
    }
    this.#connection.on('disconnect', (err: Error) => {
      this.#live = undefined;
      this.ctx.logger.warn({ err: err.message }, 'RabbitMQ connection lost; reconnecting');
    });
    this.#connection.on('error', (err: Error) => this.ctx.logger.warn({ err: err.message }, 'RabbitMQ connection error'));
  }

  features() {
    return [PubSubFeature.MessageTtl] as const;
  }

  async publish(req: PublishRequest): Promise<void> {
    const ttl = req.ttlInSeconds ?? this.#md.ttlInSeconds;
    const options: Options.Publish = {
      contentType: req.contentType,
      ...publishProperties(req.metadata),
      deliveryMode: this.#md.deliveryMode || undefined,
      headers: req.metadata,
      ...(ttl !== undefined ? { expiration: String(ttl * 1000) } : {}),
    };
    const send = async (channel: Promise<ConfirmChannel>) => {
      const ch = await channel;
      if (!this.#declared.has(req.topic)) {
        await ch.assertExchange(req.topic, this.#md.exchangeKind, { durable: this.#md.durable, autoDelete: this.#md.deletedWhenUnused });
        this.#declared.add(req.topic);
      }
      await new Promise<void>((resolve, reject) =>
        ch.publish(req.topic, req.metadata.routingKey ?? '', req.data, options, (err) => (err ? reject(new Error(`the broker did not confirm the message: ${describe(err)}`)) : resolve())),
      );
    };
    const first = this.#channel();
    try {
      await bounded(send(first), 'publishing');
    } catch (err) {
      // The broker closes the channel of a publish to a missing exchange (an auto-deleted one that went
      // with its last queue): once more on a fresh channel, which declares it again.
      if (this.#publisher === first || (err as Error).message.includes('timed out')) throw err;
      await bounded(send(this.#channel()), 'publishing');
    }
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription> {
    if (!this.#connection) throw new Error('the RabbitMQ component is closed');
    const topology = queueTopology(req.topic, this.#md.consumerID || req.consumerId, this.#md, req.metadata);
    const consumer = new QueueConsumer(topology, req.topic, this.#md, handler, this.ctx.logger, {
      current: () => this.#live,
      restartDelayMs: this.#reconnectWaitMs,
      onClosed: () => this.#consumers.delete(consumer),
    });
    this.#consumers.add(consumer);
    try {
      await bounded(this.#liveModel().then((model) => consumer.start(model)), 'subscribing');
    } catch (err) {
      await consumer.close();
      throw err;
    }
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#consumers].map((c) => c.close()));
    const connection = this.#connection;
    this.#connection = undefined;
    this.#live = undefined;
    await connection?.close().catch(() => undefined);
  }

  /** The live connection; while it is being recovered, the next one (whose setup starts every consumer). */
  #liveModel(): Promise<ChannelModel> {
    if (this.#live) return Promise.resolve(this.#live);
    return new Promise((resolve) => this.#connection?.once('connect', resolve));
  }

  /** After every (re)connection: a fresh publish channel, and every consumer declared and consuming again. */
  async #setup(model: ChannelModel): Promise<void> {
    this.#live = model;
    this.#declared.clear();
    this.#publisher = undefined;
    for (const c of this.#consumers) {
      await c.start(model).catch((err: Error) => {
        // One queue refusing (e.g. declared elsewhere with other arguments) must not take the connection down.
        this.ctx.logger.warn({ err: err.message }, 'consuming a RabbitMQ queue after reconnection failed; retrying');
        c.scheduleRestart();
      });
    }
  }

  #channel(): Promise<ConfirmChannel> {
    if (!this.#connection) return Promise.reject(new Error('the RabbitMQ component is closed'));
    this.#publisher ??= this.#connection.createConfirmChannel().then((ch) => {
      ch.on('close', () => {
        if (this.#publisher === current) this.#publisher = undefined;
        this.#declared.clear();
      });
      ch.on('error', (err: Error) => this.ctx.logger.warn({ err: err.message }, 'RabbitMQ publish channel error'));
      return ch;
    });
    const current = this.#publisher;
    current.catch(() => {
      if (this.#publisher === current) this.#publisher = undefined;
    });
    return current;
  }
}

/** Fails after WAIT_FOR_BROKER_MS instead of waiting for an unreachable broker indefinitely. */
function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  return withDeadline(work, WAIT_FOR_BROKER_MS, `${what} timed out after ${WAIT_FOR_BROKER_MS} ms: RabbitMQ is not reachable`);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createRabbitMqPubSub(ctx: ComponentContext): RabbitMqPubSub {
  return new RabbitMqPubSub(ctx);
}
