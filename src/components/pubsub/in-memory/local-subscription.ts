import type { Logger } from 'pino';
import type { MessageHandler, PubSubMessage } from '../../../contracts/pubsub.js';

const CLOSE_WAIT_MS = 5000;

/**
 * One subscription's queue: messages start in arrival order, at most `concurrency` in flight; a rejected
 * message is queued again after `redeliverMs`, so later messages are not held back by a failing one.
 */
export class LocalSubscription {
  readonly #queue: PubSubMessage[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #inFlight = 0;
  #closed = false;
  #idle?: () => void;

  constructor(
    private readonly handler: MessageHandler,
    private readonly opts: { concurrency: number; redeliverMs: number; logger: Logger; topic: string },
  ) {}

  push(message: PubSubMessage): void {
    if (this.#closed) return;
    this.#queue.push(message);
    this.#pump();
  }

  #pump(): void {
    while (!this.#closed && this.#inFlight < this.opts.concurrency && this.#queue.length > 0) {
      const message = this.#queue.shift()!;
      this.#inFlight++;
      this.handler(message).then(
        () => this.#settled(),
        (err: unknown) => {
          this.opts.logger.debug({ topic: this.opts.topic, err: (err as Error)?.message }, 'message not acknowledged; redelivering');
          this.#redeliverLater(message);
          this.#settled();
        },
      );
    }
  }

  #settled(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) this.#idle?.();
    this.#pump();
  }

  #redeliverLater(message: PubSubMessage): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.push(message);
    }, this.opts.redeliverMs);
    this.#timers.add(timer);
  }

  /** Stops delivery and waits, bounded, for handlers in flight; queued messages are discarded. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#queue.length = 0;
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      this.#idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
