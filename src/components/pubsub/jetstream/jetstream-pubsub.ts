import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { connect, createInbox, jwtAuthenticator, type ConnectionOptions, type ConsumerInfo, type JetStreamClient, type JetStreamManager, type JetStreamOptions, type NatsConnection } from 'nats';
import type { ComponentContext } from '../../../contracts/component.js';
import type { MessageHandler, PublishRequest, PubSub, PubSubSubscription, SubscribeRequest } from '../../../contracts/pubsub.js';
import { consumerSettings, durableMismatch, type ConsumerSettings, type JetStreamMetadata } from './consumer-settings.js';
import { subscribeBound } from './push-subscription.js';

export type { JetStreamMetadata } from './consumer-settings.js';

/**
 * NATS JetStream as daprd's pubsub.jetstream: a topic is a subject published with a JetStream publish
 * (the CloudEvent id as Nats-Msg-Id, so the stream drops duplicates), and each subscription a push
 * consumer filtered on its topic, created on the stream that captures the topic (or `streamName`) and
 * then bound. Streams are never created, as in daprd. The consumer is durable only with `durableName`
 * and shared only through `queueGroupName`; the runtime's consumer id plays no part, as in daprd.
 */
class JetStreamPubSub implements PubSub<JetStreamMetadata> {
  readonly #ctx: ComponentContext;
  #md!: JetStreamMetadata;
  #settings!: ConsumerSettings;
  #nc?: NatsConnection;
  #js!: JetStreamClient;
  #jsm!: JetStreamManager;
  #closed = false;
  readonly #subscriptions = new Set<PubSubSubscription>();

  constructor(ctx: ComponentContext) {
    this.#ctx = ctx;
  }

  async init(md: JetStreamMetadata): Promise<void> {
    this.#md = md;
    this.#settings = consumerSettings(md);
    for (const field of ['tls_client_cert', 'tls_client_key'] as const) {
      const path = md[field];
      if (path) await access(path, constants.R_OK).catch((err: Error) => Promise.reject(new Error(`metadata ${field}: cannot read ${path}: ${err.message}`)));
    }
    try {
      this.#nc = await connect(connectionOptions(md));
    } catch (err) {
      const reason = (err as { code?: string }).code === 'SERVER_OPT_NA' ? 'the server does not offer TLS, which tls_client_cert needs' : (err as Error).message;
      throw new Error(`cannot connect to NATS at ${redactUrl(md.natsURL)}: ${reason}`);
    }
    this.#logStatus(this.#nc).catch(() => undefined);
    const jsOpts: JetStreamOptions = {};
    if (md.domain) jsOpts.domain = md.domain;
    if (md.apiPrefix) jsOpts.apiPrefix = md.apiPrefix;
    try {
      this.#jsm = await this.#nc.jetstreamManager(jsOpts);
    } catch (err) {
      await this.#nc.close();
      throw new Error(`JetStream does not answer on ${redactUrl(md.natsURL)}${md.domain ? ` (domain ${md.domain})` : ''}: ${(err as Error).message}`);
    }
    this.#js = this.#nc.jetstream(jsOpts);
  }

  features() {
    return [] as const;
  }

  async publish(req: PublishRequest): Promise<void> {
    if (this.#closed) throw new Error('pubsub.jetstream is closed');
    const msgID = cloudEventId(req.data);
    try {
      await this.#js.publish(req.topic, req.data, msgID ? { msgID } : undefined);
    } catch (err) {
      if ((err as { code?: string }).code === '503') throw new Error(noStream(req.topic));
      throw err;
    }
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription> {
    if (this.#closed) throw new Error('pubsub.jetstream is closed');
    const md = this.#md;
    // The Go client refuses these before asking the server: a deliver group spreads messages over members.
    if (md.queueGroupName && (this.#settings.config.idle_heartbeat || md.flowControl)) {
      throw new Error('metadata queueGroupName cannot be combined with heartbeat or flowControl (NATS queue subscriptions support neither)');
    }
    const stream = md.streamName || (await this.#streamCapturing(req.topic));
    const info = await this.#consumer(stream, req.topic);
    const inner = await subscribeBound(
      { nc: this.#nc!, js: this.#js, stream, consumer: info.name, topic: req.topic, queueGroup: md.queueGroupName, concurrency: md.concurrency, settings: this.#settings, logger: this.#ctx.logger },
      handler,
    ).catch((err: Error) => Promise.reject(new Error(`cannot subscribe to ${JSON.stringify(req.topic)} through consumer ${JSON.stringify(info.name)} on stream ${JSON.stringify(stream)}: ${err.message}`)));
    const sub: PubSubSubscription = {
      close: async () => {
        this.#subscriptions.delete(sub);
        await inner.close();
      },
    };
    this.#subscriptions.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    await this.#nc?.drain().catch(() => undefined);
  }

  /** daprd's StreamNameBySubject: the stream whose subjects capture the topic. */
  async #streamCapturing(topic: string): Promise<string> {
    try {
      return await this.#jsm.streams.find(topic);
    } catch (err) {
      throw /no stream matches/i.test((err as Error).message) ? new Error(noStream(topic)) : err;
    }
  }

  /** daprd's AddConsumer: an existing durable is reused when the metadata agrees with it, else refused. */
  async #consumer(stream: string, topic: string): Promise<ConsumerInfo> {
    const config = { ...this.#settings.config, deliver_subject: createInbox(), filter_subject: topic };
    const durable = config.durable_name;
    if (durable) {
      const existing = await this.#jsm.consumers.info(stream, durable).catch((err: { code?: string }) => {
        if (err.code === '404') return undefined;
        throw err;
      });
      if (existing) {
        const mismatch = durableMismatch(existing.config, config);
        if (mismatch) throw new Error(`durable consumer ${JSON.stringify(durable)} on stream ${JSON.stringify(stream)} exists with other settings: ${mismatch} (delete it or change durableName)`);
        return existing;
      }
    }
    return this.#jsm.consumers.add(stream, config).catch((err: Error) => {
      throw new Error(`cannot create a consumer for ${JSON.stringify(topic)} on stream ${JSON.stringify(stream)}: ${err.message}`);
    });
  }

  async #logStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.#ctx.logger.warn({ server: s.data }, 'NATS connection lost; reconnecting');
      else if (s.type === 'reconnect') this.#ctx.logger.info({ server: s.data }, 'NATS connection restored');
    }
  }
}

function connectionOptions(md: JetStreamMetadata): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: md.natsURL.split(',').map((s) => s.trim()).filter(Boolean),
    name: md.name,
    timeout: 10_000,
    // A sidecar outlives broker restarts: keep reconnecting instead of giving up.
    maxReconnectAttempts: -1,
  };
  // daprd's order: a JWT with its seed, else a client certificate, else a token.
  if (md.jwt && md.seedKey) opts.authenticator = jwtAuthenticator(md.jwt, new TextEncoder().encode(md.seedKey));
  else if (md.tls_client_cert && md.tls_client_key) opts.tls = { certFile: md.tls_client_cert, keyFile: md.tls_client_key };
  else if (md.token) opts.token = md.token;
  return opts;
}

/** daprd uses the `id` of a JSON payload (the CloudEvent's) as Nats-Msg-Id; anything else has none. */
function cloudEventId(data: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

const noStream = (topic: string) =>
  `no JetStream stream captures the subject ${JSON.stringify(topic)}; create one (e.g. nats stream add <name> --subjects ${JSON.stringify(topic)}) or set streamName`;

const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/g, '//***@');

export function createJetStreamPubSub(ctx: ComponentContext): JetStreamPubSub {
  return new JetStreamPubSub(ctx);
}
