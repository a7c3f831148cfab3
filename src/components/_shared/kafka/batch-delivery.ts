import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { MessageHandler } from '../../../contracts/pubsub.js';
import { deliveryMetadata, type HeaderRules } from './headers.js';

export interface DeliveryOptions {
  heartbeatIntervalMs: number;
  /** First pause before a rejected record is read again; doubles while it keeps failing. */
  retryDelayMs: number;
  headers: HeaderRules;
  logger: Logger;
}

const MAX_RETRY_DELAY_MS = 5_000;
/** Longest a processed record waits for its offset commit while a batch is still being handled (daprd's client commits every second). */
const COMMIT_INTERVAL_MS = 1_000;
/** From this wait on, a failing partition is paused instead of slept on (the consumer's fetch wait). */
const PAUSE_FROM_MS = 500;
/** Heartbeat answers meaning this member's partitions are about to move (or already have). */
const MEMBERSHIP_LOST = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR_FOR_GROUP']);

/**
 * Hands the records of one group member to their topic handlers, one partition's records strictly in
 * order, and commits a partition's offset only past records whose handler resolved. Because each
 * partition is processed sequentially and stops at the first rejection, the committed offset always
 * covers a contiguous run of processed records: nothing after a failure is ever committed over it.
 * Commits go once per fetched batch (and at least every second within a long one), not per record: a
 * commit is a broker round trip, and one per record caps a partition at the broker's commit rate.
 *
 * - Rejected: the record is left unresolved and its partition waits a growing delay; the next fetch
 *   reads it again from the broker (redelivery), so it is never skipped.
 * - Rebalance: a slow handler keeps the member alive with heartbeats. When a heartbeat announces a
 *   rebalance, the record in flight still finishes and is committed (the coordinator accepts commits of
 *   the old generation until the group re-forms), then no further record starts and the announcing
 *   error is rethrown so kafkajs rejoins at once. Uncommitted records go to the partition's next owner.
 */
export class BatchDelivery {
  readonly #failures = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #lost?: Error;

  constructor(
    private readonly handlerFor: (topic: string) => MessageHandler | undefined,
    private readonly o: DeliveryOptions,
  ) {}

  /** A new generation started (GROUP_JOIN): earlier rebalance news is stale. */
  rejoined(): void {
    this.#lost = undefined;
  }

  /** Stops pending redelivery timers; the member is going away and its pauses with it. */
  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  async run(p: EachBatchPayload): Promise<void> {
    const { topic, partition } = p.batch;
    const handler = this.handlerFor(topic);
    const commits = new PartitionCommits(p);
    try {
      for (const message of p.batch.messages) {
        if (this.#lost) throw this.#lost;
        // A topic just unsubscribed, or a member stopping: leave the rest for the next owner.
        if (!handler || !p.isRunning() || p.isStale()) break;
        if (!(await this.#deliver(p, handler, message))) {
          await commits.flush();
          await this.#backOff(p);
          return;
        }
        p.resolveOffset(message.offset);
        await commits.processed(message.offset);
      }
      if (this.#lost) throw this.#lost;
    } catch (err) {
      await commits.flush().catch(() => undefined);
      throw err;
    }
    await commits.flush();
  }

  async #deliver(p: EachBatchPayload, handler: MessageHandler, message: KafkaMessage): Promise<boolean> {
    const { topic, partition } = p.batch;
    // Half the interval: kafkajs skips a heartbeat asked for sooner than one interval after the last.
    const keepAlive = setInterval(() => void this.#heartbeat(p), Math.max(100, this.o.heartbeatIntervalMs / 2));
    try {
      await handler({
        topic,
        data: message.value ?? Buffer.alloc(0),
        metadata: deliveryMetadata(topic, partition, message, this.o.headers),
        brokerId: `${partition}/${message.offset}`,
      });
      this.#failures.delete(`${topic}/${partition}`);
      return true;
    } catch (err) {
      this.o.logger.debug({ topic, partition, offset: message.offset, err: (err as Error).message }, 'kafka record not acknowledged; it will be read again');
      return false;
    } finally {
      clearInterval(keepAlive);
    }
  }

  async #heartbeat(p: EachBatchPayload): Promise<void> {
    try {
      await p.heartbeat();
    } catch (err) {
      if (MEMBERSHIP_LOST.has((err as { type?: string }).type ?? '')) this.#lost ??= err as Error;
    }
  }

  /**
   * Short waits are slept in place: cheaper than the fetch round trip a pause costs, and other partitions
   * wait at most that long. Longer ones pause only this partition so the others keep flowing.
   */
  async #backOff(p: EachBatchPayload): Promise<void> {
    const key = `${p.batch.topic}/${p.batch.partition}`;
    const failures = Math.min((this.#failures.get(key) ?? 0) + 1, 16);
    this.#failures.set(key, failures);
    const delay = Math.min(this.o.retryDelayMs * 2 ** (failures - 1), MAX_RETRY_DELAY_MS);
    if (delay < PAUSE_FROM_MS) return void (await new Promise((r) => setTimeout(r, delay)));
    const resume = p.pause();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      resume();
    }, delay);
    this.#timers.add(timer);
  }
}

/** The offset a partition may commit next, sent when its batch ends or when the last commit is a second old. */
class PartitionCommits {
  #next?: string;
  #lastAt = Date.now();

  constructor(private readonly p: EachBatchPayload) {}

  async processed(offset: string): Promise<void> {
    this.#next = (BigInt(offset) + 1n).toString();
    if (Date.now() - this.#lastAt >= COMMIT_INTERVAL_MS) await this.flush();
  }

  async flush(): Promise<void> {
    const offset = this.#next;
    if (offset === undefined) return;
    this.#next = undefined;
    this.#lastAt = Date.now();
    const { topic, partition } = this.p.batch;
    await this.p.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
  }
}
