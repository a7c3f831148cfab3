import type { Channel, ChannelModel, ConsumeMessage, RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import type { MessageHandler, PubSubSubscription } from '../../../contracts/pubsub.js';
import type { RabbitMqMetadata } from './rabbitmq-pubsub.js';

const CLOSE_WAIT_MS = 10_000;

/** One subscription: its queue bound to the topic's exchange, consumed on a channel of its own. */
export class QueueConsumer implements PubSubSubscription {
  #channel?: Channel;
  #tag?: string;
  #closed = false;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly topic: string,
    private readonly queue: string,
    private readonly md: RabbitMqMetadata,
    private readonly handler: MessageHandler,
    private readonly logger: Logger,
    private readonly onClosed: () => void,
  ) {}

  /** Declares exchange, queue (with dead-lettering and limits) and binding, then consumes; again after a reconnection. */
  async start(model: ChannelModel | RecoveringChannelModel): Promise<void> {
    if (this.#closed) return;
    const md = this.md;
    const ch = await model.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ queue: this.queue, err: err.message }, 'RabbitMQ consumer channel error'));
    await ch.assertExchange(this.topic, md.exchangeKind, { durable: md.durable });
    const args: Record<string, unknown> = {};
    if (md.enableDeadLetter) {
      const dlx = `dlx-${this.queue}`;
      await ch.assertExchange(dlx, 'fanout', { durable: md.durable });
      await ch.assertQueue(`dlq-${this.queue}`, { durable: md.durable });
      await ch.bindQueue(`dlq-${this.queue}`, dlx, '');
      args['x-dead-letter-exchange'] = dlx;
    }
    if (md.maxLen !== undefined) args['x-max-length'] = md.maxLen;
    if (md.maxLenBytes !== undefined) args['x-max-length-bytes'] = md.maxLenBytes;
    await ch.assertQueue(this.queue, { durable: md.durable, autoDelete: md.deletedWhenUnused, arguments: args });
    await ch.bindQueue(this.queue, this.topic, md.routingKey);
    const prefetch = md.concurrencyMode === 'single' ? 1 : md.prefetchCount;
    if (prefetch > 0) await ch.prefetch(prefetch);
    const { consumerTag } = await ch.consume(this.queue, (m) => m && this.#deliver(ch, m), { noAck: false });
    this.#channel = ch;
    this.#tag = consumerTag;
  }

  #deliver(ch: Channel, m: ConsumeMessage): void {
    const run = (async () => {
      const metadata: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.properties.headers ?? {})) if (v !== undefined && v !== null) metadata[k] = String(v);
      try {
        await this.handler({ topic: this.topic, data: m.content, contentType: m.properties.contentType as string | undefined, metadata, brokerId: String(m.fields.deliveryTag) });
        ch.ack(m);
      } catch {
        // Requeued for another try, or (dead-lettering on, requeue off) handed to the dead-letter queue.
        ch.nack(m, false, this.md.requeueInFailure || !this.md.enableDeadLetter);
      }
    })().catch((err: Error) => this.logger.warn({ queue: this.queue, err: err.message }, 'acknowledging failed; the broker redelivers after reconnection'));
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.onClosed();
    const ch = this.#channel;
    if (this.#tag) await ch?.cancel(this.#tag).catch(() => undefined);
    await Promise.race([Promise.all(this.#inFlight), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS))]);
    await ch?.close().catch(() => undefined);
  }
}
