import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { MessageHandler } from '../../../contracts/pubsub.js';

export interface GroupOptions {
  groupId: string;
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

const READY_TIMEOUT_MS = 30_000;

/**
 * One consumer-group member serving every topic a component subscribes to (the group is per component,
 * as in daprd). kafkajs cannot add topics to a running consumer, so a change of topics restarts the member.
 * Offsets are committed one message at a time, only after its handler succeeded; a failed handler makes
 * kafkajs re-read the partition from that message (and after its retries, the group restarts the member
 * from the last committed offset), so nothing is skipped.
 */
export class GroupConsumer {
  readonly #handlers = new Map<string, MessageHandler>();
  #consumer?: Consumer;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly o: GroupOptions,
    private readonly logger: Logger,
  ) {}

  add(topic: string, handler: MessageHandler): Promise<void> {
    this.#handlers.set(topic, handler);
    return this.#restart();
  }

  remove(topic: string): Promise<void> {
    this.#handlers.delete(topic);
    return this.#restart();
  }

  get empty(): boolean {
    return this.#handlers.size === 0;
  }

  close(): Promise<void> {
    this.#handlers.clear();
    return this.#restart();
  }

  /** Serialised: concurrent subscribes at startup end in one member with all topics. */
  #restart(): Promise<void> {
    this.#chain = this.#chain.catch(() => undefined).then(() => this.#replace());
    return this.#chain;
  }

  async #replace(): Promise<void> {
    const old = this.#consumer;
    this.#consumer = undefined;
    if (old) await old.disconnect().catch((err: Error) => this.logger.warn({ err: err.message }, 'kafka consumer disconnect failed'));
    if (this.#handlers.size === 0) return;
    const consumer = this.kafka.consumer({
      groupId: this.o.groupId,
      sessionTimeout: this.o.sessionTimeoutMs,
      heartbeatInterval: this.o.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(this.o.sessionTimeoutMs, 10_000),
      // Short fetch waits let a member notice a rebalance (another replica joining) quickly.
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: true,
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 30 },
    });
    this.#consumer = consumer;
    const ready = this.#whenReady(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.#handlers.keys()], fromBeginning: this.o.fromBeginning });
    await consumer.run({ autoCommit: false, eachMessage: (p) => this.#deliver(consumer, p) });
    await ready;
  }

  async #deliver(consumer: Consumer, { topic, partition, message }: EachMessagePayload): Promise<void> {
    const handler = this.#handlers.get(topic);
    if (!handler) throw new Error(`no handler for topic ${topic}`);
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) {
      if (v !== undefined) metadata[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
    }
    if (message.key) metadata.__key = message.key.toString('utf8');
    await handler({ topic, data: message.value ?? Buffer.alloc(0), metadata, brokerId: `${partition}:${message.offset}` });
    await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  }

  /** Resolves once the member joined its group and fetched: from then on, nothing published is missed. */
  #whenReady(consumer: Consumer): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafka consumer group ${this.o.groupId} did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
        offJoin();
        const offFetch = consumer.on(consumer.events.FETCH, () => {
          offFetch();
          clearTimeout(timer);
          resolve();
        });
      });
    });
  }
}
