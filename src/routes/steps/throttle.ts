import type { RouteMessage, RouteStep, StepContext, StepDefinition } from '../step.js';
import { StepConfig } from './step-config.js';
import { sleep } from './waiting.js';

/** Messages that may wait for a token by default; more are refused (the source redelivers them later). */
const DEFAULT_MAX_WAITING = 1000;

export const throttleStep: StepDefinition = {
  key: 'throttle',
  parse(config, field) {
    const c = new StepConfig();
    const m = c.mapping(config, field, ['messagesPerSecond', 'burst', 'maxWaiting']);
    if (!m) return { problems: c.problems };
    const rate = c.positiveNumber(m.messagesPerSecond, `${field}.messagesPerSecond`, 1_000_000);
    const burst = m.burst === undefined ? 1 : c.positiveInteger(m.burst, `${field}.burst`, 1_000_000);
    const maxWaiting = m.maxWaiting === undefined ? DEFAULT_MAX_WAITING : c.positiveInteger(m.maxWaiting, `${field}.maxWaiting`, 100_000);
    return c.result(() => (ctx: StepContext) => new Throttle(ctx.signal, rate!, burst!, maxWaiting!));
  },
};

/**
 * A token bucket: `burst` tokens, refilled at `messagesPerSecond`. Each message takes one, in arrival order;
 * a message waiting for its token is not acknowledged, so a restart loses none (the source redelivers).
 */
class Throttle implements RouteStep {
  #tokens: number;
  #refilledAt = performance.now();
  /** When the last queued message gets its token: each new one is spaced 1/rate after it. */
  #waiting = 0;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly signal: AbortSignal,
    private readonly rate: number,
    private readonly burst: number,
    private readonly maxWaiting: number,
  ) {
    this.#tokens = burst;
  }

  async process(message: RouteMessage): Promise<RouteMessage[]> {
    if (this.#waiting >= this.maxWaiting) throw new Error(`throttle: ${this.maxWaiting} messages are waiting already (maxWaiting)`);
    this.#waiting++;
    const turn = this.#chain.then(() => this.#take());
    this.#chain = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      this.#waiting--;
    }
    return [message];
  }

  /** Waits until a token is there and takes it; runs for one message at a time (the chain). */
  async #take(): Promise<void> {
    this.#refill();
    if (this.#tokens < 1) {
      await sleep(((1 - this.#tokens) / this.rate) * 1000, this.signal);
      this.#refill();
    }
    this.#tokens -= 1;
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.rate);
    this.#refilledAt = now;
  }
}
