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
/** From this wait on, a failing partition is paused instead of slept on (the consumer's fetch wait). */
const PAUSE_FROM_MS = 500;
/** Heartbeat answers meaning this member's partitions are about to move (or already have). */
const MEMBERSHIP_LOST = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR_FOR_GROUP']);

/**
 * Hands the records of one group member to their topic handlers, one partition's records strictly in
 * order, and commits a partition's offset only past records whose handler resolved. Because each
 * partition is processed sequentially and stops at the first rejection, the committed offset always
 * covers a contiguous run of processed records: nothing after a failure is ever committed over it.
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
    for (const message of p.batch.messages) {
      if (this.#lost) throw this.#lost;
      // A topic just unsubscribed, or a member stopping: leave the rest for the next owner.
      if (!handler || !p.isRunning() || p.isStale()) return;
      if (!(await this.#deliver(p, handler, message))) {
        await this.#backOff(p);
        return;
      }
      p.resolveOffset(message.offset);
      const next = (BigInt(message.offset) + 1n).toString();
      await p.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
    }
    if (this.#lost) throw this.#lost;
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
