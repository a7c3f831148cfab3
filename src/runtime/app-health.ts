import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { HttpAppChannel } from './app-channel.js';

export interface AppHealthOptions {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  threshold: number;
}

/**
 * App health as daprd judges it: a probe every interval; any 2xx is healthy; `threshold` consecutive
 * failures make the app unhealthy; one success makes it healthy again. Emits `change` with the new state.
 */
export class AppHealth extends EventEmitter<{ change: [healthy: boolean] }> {
  #healthy = false;
  #failures = 0;
  #timer?: NodeJS.Timeout;
  #probing = false;

  constructor(
    private readonly channel: HttpAppChannel,
    private readonly o: AppHealthOptions,
    private readonly logger: Logger,
  ) {
    super();
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  start(): void {
    void this.#probe();
    this.#timer = setInterval(() => void this.#probe(), this.o.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #probe(): Promise<void> {
    if (this.#probing) return; // a slow app never gets overlapping probes
    this.#probing = true;
    try {
      const res = await this.channel.invoke({ method: 'GET', path: this.o.path, timeoutMs: this.o.timeoutMs });
      if (res.status >= 200 && res.status < 300) this.#report(true);
      else this.#fail(`status ${res.status}`);
    } catch (err) {
      this.#fail((err as Error).message);
    } finally {
      this.#probing = false;
    }
  }

  #fail(why: string): void {
    this.#failures++;
    if (this.#healthy && this.#failures >= this.o.threshold) this.#report(false, why);
  }

  #report(healthy: boolean, why?: string): void {
    if (healthy) this.#failures = 0;
    if (healthy === this.#healthy) return;
    this.#healthy = healthy;
    if (healthy) this.logger.info('app is healthy');
    else this.logger.warn({ reason: why }, 'app is unhealthy');
    this.emit('change', healthy);
  }
}
