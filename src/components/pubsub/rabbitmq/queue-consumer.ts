import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { MessageHandler, PubSubSubscription } from '../../../contracts/pubsub.js';
import { declareTopology, type QueueTopology } from './queue-topology.js';
import type { RabbitMqMetadata } from './rabbitmq-pubsub.js';

const CLOSE_WAIT_MS = 10_000;
/** A refused message goes back to the queue after this pause, so an app that keeps refusing is not flooded. */
const REQUEUE_DELAY_MS = 100;

export interface ConsumerHooks {
  /** The live connection, or undefined while it is being recovered. */
  current(): ChannelModel | undefined;
  /** Wait before consuming again after the broker closed the channel or cancelled the consumer. */
  restartDelayMs: number;
  onClosed(): void;
}

/**
 * One subscription: its queue consumed on a channel of its own. A message is acknowledged after the
 * handler resolved; a refused one is requeued or, with dead-lettering, rejected into the dead-letter
 * queue. When the channel goes away (connection lost, channel error, consumer cancelled by the broker)
 * it is consumed again on the live connection, declaring its topology again first.
 */
export class QueueConsumer implements PubSubSubscription {
  #channel?: Channel;
  #model?: ChannelModel;
  #tag?: string;
  #closed = false;
  #starting: Promise<void> = Promise.resolve();
  #restartTimer?: NodeJS.Timeout;
  /** Messages of a `concurrencyMode: single` subscription run one after the other. */
  #serial: Promise<void> = Promise.resolve();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly topology: QueueTopology,
    private readonly topic: string,
    private readonly md: RabbitMqMetadata,
    private readonly handler: MessageHandler,
    private readonly logger: Logger,
    private readonly hooks: ConsumerHooks,
  ) {}

  /** Consumes on `model` unless already doing so; serialized, so a recovery and a subscribe never open two consumers. */
  start(model: ChannelModel): Promise<void> {
    const run = this.#starting.catch(() => undefined).then(() => this.#start(model));
    this.#starting = run;
    return run;
  }

  /** Tries again after `restartDelayMs` on whatever connection is live then. */
  scheduleRestart(): void {
    if (this.#closed || this.#restartTimer) return;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      const model = this.hooks.current();
      if (!model || this.#closed) return; // the connection's recovery starts every consumer again
      this.start(model).catch((err: Error) => {
        this.logger.warn({ queue: this.topology.queue, err: err.message }, 'consuming the RabbitMQ queue again failed; retrying');
        this.scheduleRestart();
      });
    }, this.hooks.restartDelayMs);
  }

  async #start(model: ChannelModel): Promise<void> {
    if (this.#closed || (this.#model === model && this.#channel)) return;
    const ch = await model.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ queue: this.topology.queue, err: err.message }, 'RabbitMQ consumer channel error'));
    ch.on('close', () => {
      if (this.#channel !== ch) return;
      this.#channel = undefined;
      this.scheduleRestart();
    });
    try {
      await declareTopology(ch, this.topology, this.md);
      // `single` takes one message at a time unless prefetchCount says otherwise.
      const prefetch = this.md.prefetchCount || (this.md.concurrencyMode === 'single' ? 1 : 0);
      if (prefetch > 0) await ch.prefetch(prefetch);
      this.#channel = ch;
      this.#model = model;
      const { consumerTag } = await ch.consume(this.topology.queue, (m) => (m ? this.#deliver(ch, m) : this.#cancelledByBroker(ch)), { noAck: this.md.autoAck });
      this.#tag = consumerTag;
    } catch (err) {
      if (this.#channel === ch) this.#channel = undefined;
      await ch.close().catch(() => undefined);
      throw err;
    }
  }

  #cancelledByBroker(ch: Channel): void {
    this.logger.warn({ queue: this.topology.queue }, 'RabbitMQ cancelled the consumer (queue deleted?); declaring and consuming again');
    if (this.#channel === ch) this.#channel = undefined;
    void ch.close().catch(() => undefined);
    this.scheduleRestart();
  }

  #deliver(ch: Channel, m: ConsumeMessage): void {
    const work = () => this.#handle(ch, m);
    const run = this.md.concurrencyMode === 'single' ? (this.#serial = this.#serial.then(work)) : work();
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
  }

  async #handle(ch: Channel, m: ConsumeMessage): Promise<void> {
    // Queued behind a single-mode predecessor when the subscription closed: left unacknowledged for the broker.
    if (this.#closed && this.md.concurrencyMode === 'single') return;
    let accepted = true;
    try {
      await this.handler({ topic: this.topic, data: m.content, contentType: m.properties.contentType as string | undefined, metadata: deliveryMetadata(m, this.md), brokerId: String(m.fields.deliveryTag) });
    } catch (err) {
      accepted = false;
      this.logger.debug({ queue: this.topology.queue, err: (err as Error).message }, 'message refused');
    }
    if (this.md.autoAck) return;
    // Without dead-lettering a refused message is always requeued: it is never dropped.
    const requeue = this.md.requeueInFailure || !this.md.enableDeadLetter;
    if (!accepted && requeue) await new Promise((r) => setTimeout(r, REQUEUE_DELAY_MS));
    // A channel that has gone away took its unacknowledged messages back to the queue already.
    if (this.#channel !== ch) return;
    try {
      if (accepted) ch.ack(m);
      else ch.nack(m, false, requeue);
    } catch (err) {
      this.logger.warn({ queue: this.topology.queue, err: (err as Error).message }, 'acknowledging failed; the broker redelivers the message');
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    this.hooks.onClosed();
    await this.#starting.catch(() => undefined);
    const ch = this.#channel;
    if (ch && this.#tag) await ch.cancel(this.#tag).catch(() => undefined);
    await Promise.race([Promise.all(this.#inFlight), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS))]);
    this.#channel = undefined;
    await ch?.close().catch(() => undefined);
  }
}

/**
 * Message headers as metadata; with `publishMessagePropertiesToMetadata`, also daprd's `metadata.*` keys
 * (message id, correlation id, type, content type and every header).
 */
function deliveryMetadata(m: ConsumeMessage, md: RabbitMqMetadata): Record<string, string> {
  const metadata: Record<string, string> = {};
  const headers = Object.entries(m.properties.headers ?? {}).filter(([, v]) => v !== undefined && v !== null);
  for (const [k, v] of headers) metadata[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
  if (!md.publishMessagePropertiesToMetadata) return metadata;
  const p = m.properties;
  if (p.messageId) metadata['metadata.messageid'] = String(p.messageId);
  if (p.correlationId) metadata['metadata.correlationid'] = String(p.correlationId);
  if (p.type) metadata['metadata.type'] = String(p.type);
  if (p.contentType) metadata['metadata.contenttype'] = String(p.contentType);
  for (const [k, v] of headers) metadata[`metadata.${k}`] = Buffer.isBuffer(v) ? v.toString() : String(v);
  return metadata;
}
