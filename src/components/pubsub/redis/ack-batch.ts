import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Longest an acknowledgement waits for others to share its XACK. */
const ACK_DELAY_MS = 20;
/** Ids that make an XACK go out at once. */
const MAX_BATCH = 128;

export interface AckBatchOptions {
  client: Redis;
  logger: Logger;
  topic: string;
  group: string;
  /** Acknowledgements wait well within it, so no reclaim takes an entry that was handled. */
  processingMs: number;
}

/**
 * Acknowledges handled entries a few at a time: one XACK (one socket write, one reply) per batch rather
 * than per message, which is most of what a steady trickle of messages costs the sidecar in Redis traffic.
 * `settled` hears of every id once its XACK has answered or failed.
 */
export class AckBatch {
  #ids: string[] = [];
  #timer?: NodeJS.Timeout;
  readonly #delayMs: number;

  constructor(
    private readonly opts: AckBatchOptions,
    private readonly settled: (ids: string[]) => void,
  ) {
    this.#delayMs = opts.processingMs > 0 ? Math.min(ACK_DELAY_MS, Math.floor(opts.processingMs / 4)) : ACK_DELAY_MS;
  }

  add(id: string): void {
    this.#ids.push(id);
    if (this.#ids.length >= MAX_BATCH) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#delayMs);
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ids = this.#ids;
    if (ids.length === 0) return;
    this.#ids = [];
    const { client, topic, group, logger } = this.opts;
    try {
      await client.xack(topic, group, ...ids);
    } catch (err) {
      logger.warn({ topic, ids, err: (err as Error).message }, 'XACK failed; the messages will be redelivered');
    } finally {
      this.settled(ids);
    }
  }
}
