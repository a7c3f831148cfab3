import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

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
    /** One probe: resolves true for a healthy answer within the timeout. */
    private readonly probe: (timeoutMs: number) => Promise<boolean>,
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
      if (await this.probe(this.o.timeoutMs)) this.#report(true);
      else this.#fail('probe failed');
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
