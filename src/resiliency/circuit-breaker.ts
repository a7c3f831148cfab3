import type { CircuitBreakerPolicy } from './policies.js';

export class BreakerOpenError extends Error {
  readonly code = 'ERR_CIRCUIT_BREAKER_OPEN';
  constructor(name: string) {
    super(`circuit breaker is open: ${name}`);
    this.name = 'BreakerOpenError';
  }
}

/**
 * A circuit breaker with daprd's semantics: `trip` (CEL over the counters) opens it after a failure;
 * after `timeout` it half-opens and lets `maxRequests` probes through; a probe success closes it,
 * a probe failure opens it again. `interval` > 0 clears the counters periodically while closed.
 */
export class CircuitBreaker {
  #state: 'closed' | 'open' | 'half-open' = 'closed';
  #openedAt = 0;
  #inFlightProbes = 0;
  #counts = { requests: 0, totalSuccesses: 0, totalFailures: 0, consecutiveSuccesses: 0, consecutiveFailures: 0 };
  #windowStart = Date.now();

  constructor(
    readonly name: string,
    private readonly p: CircuitBreakerPolicy,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.#state === 'open' && Date.now() - this.#openedAt >= this.p.timeoutMs) this.#state = 'half-open';
    return this.#state;
  }

  /** Runs `fn` if the breaker lets it through; records the outcome. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open') throw new BreakerOpenError(this.name);
    if (state === 'half-open') {
      if (this.#inFlightProbes >= this.p.maxRequests) throw new BreakerOpenError(this.name);
      this.#inFlightProbes++;
    } else if (this.p.intervalMs > 0 && Date.now() - this.#windowStart >= this.p.intervalMs) {
      this.#reset();
    }
    this.#counts.requests++;
    try {
      const result = await fn();
      this.#success(state);
      return result;
    } catch (err) {
      this.#failure(state);
      throw err;
    } finally {
      if (state === 'half-open') this.#inFlightProbes--;
    }
  }

  #success(from: string): void {
    const c = this.#counts;
    c.totalSuccesses++;
    c.consecutiveSuccesses++;
    c.consecutiveFailures = 0;
    if (from === 'half-open') {
      this.#state = 'closed';
      this.#reset();
    }
  }

  #failure(from: string): void {
    const c = this.#counts;
    c.totalFailures++;
    c.consecutiveFailures++;
    c.consecutiveSuccesses = 0;
    if (from === 'half-open' || this.p.trip({ ...c }) === true) {
      this.#state = 'open';
      this.#openedAt = Date.now();
    }
  }

  #reset(): void {
    this.#counts = { requests: 0, totalSuccesses: 0, totalFailures: 0, consecutiveSuccesses: 0, consecutiveFailures: 0 };
    this.#windowStart = Date.now();
  }
}
