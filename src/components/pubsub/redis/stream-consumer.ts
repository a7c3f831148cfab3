import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MessageHandler } from '../../../contracts/pubsub.js';
import { readyIn } from '../../_shared/redis/connection.js';
import { AckBatch } from './ack-batch.js';
import { claimedEntries, readGroupEntries, type StreamEntry } from './stream-entries.js';

export interface ConsumerOptions {
  client: Redis;
  logger: Logger;
  topic: string;
  /** Consumer group and consumer name, as daprd uses the one `consumerID` for both. */
  group: string;
  redeliverMs: number;
  processingMs: number;
  queueDepth: number;
  concurrency: number;
  commandTimeoutMs?: number;
}

const MAX_BLOCK_MS = 2000;
// Spaces out reads that fail while Redis answers; after a lost connection the loop waits for the shared
// client's reconnect instead, so the first read after an outage goes out as soon as Redis is back.
const MAX_ERROR_BACKOFF_MS = 500;
const CLOSE_WAIT_MS = 5000;

/**
 * One subscription to one stream. A reader connection blocks on XREADGROUP (a blocking command needs its
 * own connection); the shared client acknowledges and reclaims. Entries start in stream order with at
 * most `concurrency` in flight and at most `queueDepth` held here; entries held here are never reclaimed
 * by this consumer, so a slow handler does not get its own message twice.
 */
export class StreamConsumer {
  readonly #queue: StreamEntry[] = [];
  readonly #held = new Set<string>();
  #reader?: Redis;
  #inFlight = 0;
  #closed = false;
  /** Set once close has delivered what it could: nothing more starts. */
  #stopped = false;
  #loop?: Promise<void>;
  #reclaimTimer?: NodeJS.Timeout;
  #reclaiming = false;
  #roomFreed?: () => void;
  #idle?: () => void;
  #errorReported = false;
  readonly #acks: AckBatch;

  constructor(
    private readonly opts: ConsumerOptions,
    private readonly handler: MessageHandler,
  ) {
    // An entry stays held until acknowledged, so a reclaim cannot take it back meanwhile.
    this.#acks = new AckBatch(opts, (ids) => {
      for (const id of ids) this.#held.delete(id);
      this.#roomFreed?.();
    });
  }

  async start(): Promise<void> {
    await this.#ensureGroup();
    // The reader does not reconnect by itself: it follows the shared client (see #afterFailedRead), so one
    // connection per component, not one per subscription, polls a Redis that is away.
    const reader = this.opts.client.duplicate({ retryStrategy: () => null });
    reader.on('error', (err: Error) => this.#reportError(err));
    await reader.connect();
    this.#reader = reader;
    this.#loop = this.#fetchLoop();
    if (this.opts.redeliverMs > 0 && this.opts.processingMs > 0) {
      this.#reclaimTimer = setInterval(() => void this.#reclaim(), this.opts.redeliverMs);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#reclaimTimer);
    this.#roomFreed?.();
    // Disconnecting ends the blocked XREADGROUP at once; nothing more is read.
    this.#reader?.disconnect();
    await this.#loop;
    // Entries already read are delivered too, within the close budget: left pending, they would wait a
    // processingTimeout for a reclaim (a subscription replaced by hot reload would deliver them a minute late).
    if (this.#inFlight > 0 || this.#queue.length > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS);
        this.#idle = () => (clearTimeout(timer), resolve());
      });
    }
    this.#stopped = true;
    this.#queue.length = 0;
    await this.#acks.flush();
  }

  async #ensureGroup(): Promise<void> {
    try {
      await this.opts.client.xgroup('CREATE', this.opts.topic, this.opts.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
  }

  async #fetchLoop(): Promise<void> {
    const { topic, group, queueDepth, commandTimeoutMs } = this.opts;
    // The command timeout also bounds a blocking read, so block for less than it.
    const blockMs = commandTimeoutMs === undefined ? MAX_BLOCK_MS : Math.max(1, Math.min(MAX_BLOCK_MS, Math.floor(commandTimeoutMs / 2)));
    let failures = 0;
    let regroupedAt = -Infinity;
    // Lives as long as the subscription; every turn ends within blockMs (or the error backoff) so close is prompt.
    while (!this.#closed) {
      const room = queueDepth - this.#held.size;
      if (room <= 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, MAX_BLOCK_MS);
          this.#roomFreed = () => (clearTimeout(timer), resolve());
        });
        continue;
      }
      try {
        const reply = await this.#reader!.callBuffer('XREADGROUP', 'GROUP', group, group, 'COUNT', room, 'BLOCK', blockMs, 'STREAMS', topic, '>');
        failures = 0;
        this.#errorReported = false;
        this.#enqueue(readGroupEntries(reply, topic));
      } catch (err) {
        if (this.#closed) return;
        this.#reportError(err as Error);
        // The stream or group may have been deleted under us (Redis restarted empty); recreate it like daprd
        // does and read again at once, since publishers may already be filling the new stream. At most once
        // per backoff window, so a group deleted again and again cannot make this loop spin.
        if (/NOGROUP/.test((err as Error).message)) {
          const regrouped = await this.#ensureGroup().then(() => true, () => false);
          if (regrouped && performance.now() - regroupedAt > MAX_ERROR_BACKOFF_MS) {
            regroupedAt = performance.now();
            continue;
          }
        }
        // Failures during an outage say nothing of the connection made after it: back off from scratch.
        if (await this.#afterFailedRead(Math.min(MAX_ERROR_BACKOFF_MS, 50 * 2 ** Math.min(failures++, 5)))) failures = 0;
      }
    }
  }

  /**
   * Backs off after a failed read; when the reader lost its connection, reconnects it once the shared client
   * is back. Whether it reconnected.
   */
  async #afterFailedRead(backoffMs: number): Promise<boolean> {
    const reader = this.#reader!;
    if (reader.status !== 'end') return sleep(backoffMs).then(() => false);
    if (!(await readyIn(this.opts.client, MAX_ERROR_BACKOFF_MS)) || this.#closed) return false;
    return reader.connect().then(() => true, () => sleep(backoffMs).then(() => false));
  }

  /** Claims entries pending longer than `processingTimeout` (failed, or read by a consumer that died). */
  async #reclaim(): Promise<void> {
    if (this.#reclaiming || this.#closed) return;
    const { client, topic, group, processingMs, queueDepth } = this.opts;
    const room = queueDepth - this.#held.size;
    if (room <= 0) return;
    this.#reclaiming = true;
    try {
      const pending = (await client.xpending(topic, group, 'IDLE', processingMs, '-', '+', room)) as Array<[string, string, number, number]>;
      const ids = pending.map((p) => p[0]).filter((id) => !this.#held.has(id));
      if (ids.length === 0 || this.#closed) return;
      // XCLAIM re-checks the idle time atomically, so two sidecars never both claim one entry.
      const entries = claimedEntries(await client.callBuffer('XCLAIM', topic, group, group, processingMs, ...ids), topic);
      const trimmed = entries.filter((e) => !e.message).map((e) => e.id);
      if (trimmed.length > 0) await client.xack(topic, group, ...trimmed);
      this.#enqueue(entries);
    } catch (err) {
      if (!this.#closed) this.#reportError(err as Error);
    } finally {
      this.#reclaiming = false;
    }
  }

  #enqueue(entries: StreamEntry[]): void {
    for (const e of entries) {
      if (!e.message || this.#held.has(e.id)) continue;
      this.#held.add(e.id);
      this.#queue.push(e);
    }
    this.#dispatch();
  }

  #dispatch(): void {
    while (!this.#stopped && this.#inFlight < this.opts.concurrency && this.#queue.length > 0) {
      const entry = this.#queue.shift()!;
      this.#inFlight++;
      void this.#deliver(entry);
    }
  }

  async #deliver(entry: StreamEntry): Promise<void> {
    const { topic, logger } = this.opts;
    try {
      await this.handler(entry.message!);
      this.#acks.add(entry.id);
    } catch (err) {
      // Not acknowledged: it stays pending and is reclaimed after processingTimeout.
      logger.debug({ topic, id: entry.id, err: (err as Error)?.message }, 'message not acknowledged; left pending for redelivery');
      this.#held.delete(entry.id);
    } finally {
      this.#inFlight--;
      this.#roomFreed?.();
      this.#dispatch();
      if (this.#inFlight === 0 && this.#queue.length === 0) this.#idle?.();
    }
  }

  #reportError(err: Error): void {
    if (this.#closed || this.#errorReported) return;
    this.#errorReported = true;
    this.opts.logger.warn({ topic: this.opts.topic, err: err.message }, 'redis stream read failed; retrying');
  }
}
