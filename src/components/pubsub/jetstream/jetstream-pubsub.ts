import { AckPolicy, connect, DeliverPolicy, headers as natsHeaders, jwtAuthenticator, RetentionPolicy, StorageType, type ConsumerConfig, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { ComponentContext } from '../../../contracts/component.js';
import type { MessageHandler, PublishRequest, PubSub, PubSubSubscription, SubscribeRequest } from '../../../contracts/pubsub.js';
import { parseDuration } from '../../../util/duration.js';
import { consumeMessages } from './consume.js';

export type JetStreamMetadata = {
  natsURL: string;
  name: string;
  token?: string;
  jwt?: string;
  seedKey?: string;
  streamName?: string;
  durableName?: string;
  deliverPolicy: 'all' | 'last' | 'new' | 'sequence' | 'time';
  startSequence?: number;
  startTime?: number;
  ackWait: string;
  maxDeliver: number;
  maxAckPending: number;
  replicas: number;
  memoryStorage: boolean;
  concurrency: 'single' | 'parallel';
};

const nanos = (ms: number) => ms * 1_000_000;
/** Stream and consumer names may not contain `.`, `*`, `>`, spaces or path separators. */
const safeName = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * NATS JetStream as daprd's pubsub.jetstream: topics are subjects, each subscription a durable pull
 * consumer named after the consumer id (sidecars of one app-id share it, other app-ids get their own),
 * messages acknowledged only after the app accepted them and negatively acknowledged (redelivered at
 * once) when it refused. Publish metadata travels as NATS headers.
 */
class JetStreamPubSub implements PubSub<JetStreamMetadata> {
  #md!: JetStreamMetadata;
  #nc?: NatsConnection;
  #js!: JetStreamClient;
  #jsm!: JetStreamManager;
  /** Topic → stream capturing it, once known or created. */
  readonly #streams = new Map<string, Promise<string>>();
  readonly #subscriptions = new Set<PubSubSubscription>();

  async init(md: JetStreamMetadata): Promise<void> {
    this.#md = md;
    try {
      this.#nc = await connect({
        servers: md.natsURL.split(',').map((s) => s.trim()),
        name: md.name,
        token: md.token,
        ...(md.jwt && md.seedKey ? { authenticator: jwtAuthenticator(md.jwt, new TextEncoder().encode(md.seedKey)) } : {}),
        timeout: 10_000,
        maxReconnectAttempts: -1,
      });
    } catch (err) {
      throw new Error(`cannot connect to NATS at ${md.natsURL}: ${(err as Error).message}`);
    }
    this.#jsm = await this.#nc.jetstreamManager().catch((err: Error) => {
      throw new Error(`JetStream is not enabled on ${md.natsURL}: ${err.message}`);
    });
    this.#js = this.#nc.jetstream();
  }

  features() {
    return [] as const;
  }

  async publish(req: PublishRequest): Promise<void> {
    await this.#stream(req.topic);
    const h = natsHeaders();
    for (const [k, v] of Object.entries(req.metadata)) h.set(k, v);
    if (req.contentType) h.set('Content-Type', req.contentType);
    await this.#js.publish(req.topic, req.data, { headers: h });
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription> {
    const stream = await this.#stream(req.topic);
    const md = this.#md;
    const base = safeName(md.durableName || req.consumerId);
    const durable = md.streamName ? `${base}_${safeName(req.topic)}` : base;
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(parseDuration(md.ackWait) ?? 30_000),
      max_deliver: md.maxDeliver,
      max_ack_pending: md.maxAckPending,
      filter_subject: req.topic,
      ...deliverFrom(md),
    };
    await this.#jsm.consumers.add(stream, config).catch(async (err: Error) => {
      // An existing durable keeps its position; its start settings cannot change.
      if (!/already in use|exists/i.test(err.message)) throw err;
    });
    const consumer = await this.#js.consumers.get(stream, durable);
    const sub = await consumeMessages(consumer, handler, md.concurrency === 'single' ? 1 : Math.min(md.maxAckPending, 64));
    const wrapped: PubSubSubscription = {
      close: async () => {
        this.#subscriptions.delete(wrapped);
        await sub.close();
      },
    };
    this.#subscriptions.add(wrapped);
    return wrapped;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    const nc = this.#nc;
    this.#nc = undefined;
    await nc?.drain().catch(() => undefined);
  }

  /** The stream capturing `topic`: an existing one, `streamName` (extended with the topic), or one per topic. */
  #stream(topic: string): Promise<string> {
    let found = this.#streams.get(topic);
    if (!found) {
      found = this.#ensureStream(topic);
      found.catch(() => this.#streams.delete(topic));
      this.#streams.set(topic, found);
    }
    return found;
  }

  async #ensureStream(topic: string): Promise<string> {
    const existing = await this.#jsm.streams.find(topic).catch(() => undefined);
    if (existing) return existing;
    const md = this.#md;
    const name = md.streamName ? safeName(md.streamName) : `mecha-${safeName(topic)}`;
    const info = await this.#jsm.streams.info(name).catch(() => undefined);
    if (info) {
      await this.#jsm.streams.update(name, { ...info.config, subjects: [...new Set([...(info.config.subjects ?? []), topic])] });
      return name;
    }
    await this.#jsm.streams.add({
      name,
      subjects: [topic],
      retention: RetentionPolicy.Limits,
      storage: md.memoryStorage ? StorageType.Memory : StorageType.File,
      num_replicas: md.replicas,
    });
    return name;
  }
}

function deliverFrom(md: JetStreamMetadata): Partial<ConsumerConfig> {
  switch (md.deliverPolicy) {
    case 'last':
      return { deliver_policy: DeliverPolicy.Last };
    case 'new':
      return { deliver_policy: DeliverPolicy.New };
    case 'sequence':
      return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: md.startSequence ?? 1 };
    case 'time':
      return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date((md.startTime ?? 0) * 1000).toISOString() };
    default:
      return { deliver_policy: DeliverPolicy.All };
  }
}

export function createJetStreamPubSub(_ctx: ComponentContext): JetStreamPubSub {
  return new JetStreamPubSub();
}
