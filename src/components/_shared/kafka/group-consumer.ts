import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { MessageHandler } from '../../../contracts/pubsub.js';
import { partitionAssigners } from './assigners.js';
import { BatchDelivery } from './batch-delivery.js';
import type { HeaderRules } from './headers.js';
import { pinNewestStart } from './start-offsets.js';

export interface GroupOptions {
  groupId: string;
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** First pause before a rejected record is read again (daprd's consumeRetryInterval). */
  retryDelayMs?: number;
  minBytes?: number;
  maxBytesPerPartition?: number;
  assigner?: 'range' | 'roundrobin';
  metadataMaxAgeMs?: number;
  headers?: HeaderRules;
}

const READY_TIMEOUT_MS = 30_000;
/** How long a member being replaced or closed may take to finish the records in flight. */
const DRAIN_TIMEOUT_MS = 5_000;
/** Partitions handled at once; each partition itself is always handled one record at a time. */
const PARTITIONS_AT_ONCE = 8;
const RECOVERY_ATTEMPTS = 20;
const SUBSCRIBE_ATTEMPTS = 20;
const RECOVERY_MAX_DELAY_MS = 30_000;

interface Member {
  consumer: Consumer;
  delivery: BatchDelivery;
  /** Joined and fetched once; crashes before that are the starting call's to report. */
  started: boolean;
  /** The start offsets being recorded for the latest assignment (see `pinNewestStart`). */
  pinned: Promise<void>;
}

/**
 * One consumer-group member serving every topic a component subscribes to: the group is per component,
 * as in daprd. kafkajs cannot add topics to a running member, so a change of topics replaces the member;
 * changes arriving while one is queued join it, so a burst of subscriptions costs one rebalance.
 * A member that crashes for good is replaced with backoff (a bounded number of times).
 */
export class GroupConsumer {
  readonly #handlers = new Map<string, MessageHandler>();
  #member?: Member;
  #chain: Promise<void> = Promise.resolve();
  #queued?: Promise<void>;
  #recovery?: NodeJS.Timeout;
  #failedStarts = 0;
  /** Reads committed and end offsets for `pinNewestStart`; only groups starting at the newest record need it. */
  #admin?: Promise<Admin>;

  constructor(
    private readonly kafka: Kafka,
    private readonly o: GroupOptions,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the member serving `topic` has joined the group and fetched. */
  add(topic: string, handler: MessageHandler): Promise<void> {
    this.#handlers.set(topic, handler);
    return this.#restart();
  }

  remove(topic: string): Promise<void> {
    if (!this.#handlers.delete(topic)) return this.#chain.catch(() => undefined);
    return this.#restart();
  }

  get empty(): boolean {
    return this.#handlers.size === 0;
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    clearTimeout(this.#recovery);
    await this.#restart().catch(() => undefined);
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  #restart(): Promise<void> {
    this.#queued ??= this.#chain.catch(() => undefined).then(() => {
      this.#queued = undefined;
      return this.#replace();
    });
    this.#chain = this.#queued;
    return this.#queued;
  }

  async #replace(): Promise<void> {
    clearTimeout(this.#recovery);
    const old = this.#member;
    this.#member = undefined;
    if (old) await this.#retire(old);
    if (this.#handlers.size === 0) return;
    const member = this.#create();
    this.#member = member;
    const ready = this.#whenReady(member);
    try {
      if (!this.o.fromBeginning) await this.#connectAdmin();
      await member.consumer.connect();
      await this.#subscribe(member.consumer, [...this.#handlers.keys()]);
      await member.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
        eachBatch: (p) => member.delivery.run(p),
      });
      await ready.promise;
      member.started = true;
      this.#failedStarts = 0;
    } catch (err) {
      ready.cancel();
      this.#member = undefined;
      await this.#retire(member);
      this.#scheduleRecovery(err as Error);
      throw err;
    }
  }

  /**
   * The first metadata request for a topic makes the broker auto-create it (when the broker allows it,
   * as daprd relies on) but answers "unknown topic" itself; kafkajs does not retry that here, so we do.
   */
  async #subscribe(consumer: Consumer, topics: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await consumer.subscribe({ topics, fromBeginning: this.o.fromBeginning });
      } catch (err) {
        if (attempt >= SUBSCRIBE_ATTEMPTS || (err as { retriable?: boolean }).retriable !== true) throw err;
        await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 500)));
      }
    }
  }

  #create(): Member {
    const consumer = this.kafka.consumer({
      groupId: this.o.groupId,
      sessionTimeout: this.o.sessionTimeoutMs,
      heartbeatInterval: this.o.heartbeatIntervalMs,
      // As long as daprd's client waits: a handler in flight may finish before the group re-forms.
      rebalanceTimeout: Math.max(this.o.sessionTimeoutMs, 60_000),
      // Short fetch waits: a rebalance, a pause or a close is noticed within half a second.
      maxWaitTimeInMs: 500,
      minBytes: this.o.minBytes ?? 1,
      maxBytesPerPartition: this.o.maxBytesPerPartition ?? 1048576,
      metadataMaxAge: this.o.metadataMaxAgeMs ?? 540_000,
      partitionAssigners: partitionAssigners(this.o.assigner ?? 'range'),
      allowAutoTopicCreation: true,
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 10 },
    });
    const delivery = new BatchDelivery((topic) => this.#handlers.get(topic), {
      heartbeatIntervalMs: this.o.heartbeatIntervalMs,
      retryDelayMs: this.o.retryDelayMs ?? 100,
      headers: this.o.headers ?? { escape: false },
      logger: this.logger,
    });
    const member: Member = { consumer, delivery, started: false, pinned: Promise.resolve() };
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      delivery.rejoined();
      const admin = this.#admin;
      if (admin) member.pinned = admin.then((a) => pinNewestStart(consumer, a, this.o.groupId, e.payload.memberAssignment, this.logger));
      this.logger.debug({ groupId: this.o.groupId, assignment: e.payload.memberAssignment }, 'kafka group joined');
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (e.payload.restart || !member.started || this.#member !== member) return; // kafkajs restarts retriable crashes itself
      this.logger.warn({ groupId: this.o.groupId, err: e.payload.error.message }, 'kafka consumer stopped');
      this.#scheduleRecovery(e.payload.error);
    });
    return member;
  }

  /** One admin connection per group, made on first need; a failed attempt is retried by the next start. */
  async #connectAdmin(): Promise<void> {
    this.#admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    await this.#admin.catch((err: Error) => {
      this.#admin = undefined;
      throw err;
    });
  }

  /** Stops fetching and lets records in flight settle, within a bound; their offsets commit if they succeed. */
  async #retire({ consumer, delivery }: Member): Promise<void> {
    delivery.stop();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)));
    const disconnected = consumer.disconnect().catch((err: Error) => this.logger.warn({ err: err.message }, 'kafka consumer disconnect failed'));
    await Promise.race([disconnected, bound]);
    clearTimeout(timer);
  }

  #scheduleRecovery(err: Error): void {
    clearTimeout(this.#recovery);
    if (this.#handlers.size === 0) return;
    if (++this.#failedStarts > RECOVERY_ATTEMPTS) {
      this.logger.error({ groupId: this.o.groupId, err: err.message }, 'kafka consumer group gave up after repeated failures');
      return;
    }
    const delay = Math.min(1000 * 2 ** (this.#failedStarts - 1), RECOVERY_MAX_DELAY_MS);
    this.#recovery = setTimeout(() => void this.#restart().catch(() => undefined), delay);
  }

  /**
   * Settles once the member joined its group, finished a first fetch (its starting offsets are fixed) and
   * recorded them where needed: from then on, nothing published is missed.
   */
  #whenReady(member: Member): { promise: Promise<void>; cancel(): void } {
    const { consumer } = member;
    const offs: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    const cancel = () => {
      clearTimeout(timer);
      for (const off of offs.splice(0)) off();
    };
    const promise = new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        cancel();
        if (err) reject(err);
        else resolve();
      };
      timer = setTimeout(() => done(new Error(`kafka consumer group ${this.o.groupId} did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      let joined = false;
      offs.push(consumer.on(consumer.events.GROUP_JOIN, () => void (joined = true)));
      offs.push(consumer.on(consumer.events.FETCH, () => joined && void member.pinned.then(() => done())));
      offs.push(consumer.on(consumer.events.CRASH, (e) => !e.payload.restart && done(e.payload.error)));
    });
    promise.catch(() => undefined); // awaited later; a crash during connect must not count as unhandled
    return { promise, cancel };
  }
}
