import { setTimeout as sleep } from 'node:timers/promises';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { ObservedPolicy, PolicyDefinition, RetryPolicy } from './policies.js';

export class PolicyTimeoutError extends Error {
  readonly code = 'ERR_RESILIENCY_TIMEOUT';
  constructor(ms: number) {
    super(`timeout waiting for the operation to complete after ${ms} ms`);
    this.name = 'PolicyTimeoutError';
  }
}

/** Tells the runner whether a failure is worth retrying; the default retries everything. */
export type RetryFilter = (err: unknown, retry: RetryPolicy) => boolean;

/**
 * Runs an operation under a policy: each attempt bounded by the timeout and gated by the circuit
 * breaker; failures retried by the retry policy (constant, or exponential with jitter as daprd does).
 */
export async function runWithPolicy<T>(
  policy: PolicyDefinition | undefined,
  breaker: CircuitBreaker | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
  retryable: RetryFilter = () => true,
): Promise<T> {
  const observed = policy?.observed;
  if (observed) reportApplied(policy!, observed);
  const attempt = () => {
    const once = () => withTimeout(policy?.timeoutMs, fn, observed);
    return breaker ? breaker.run(once) : once();
  };
  const retry = policy?.retry;
  if (!retry) return attempt();
  let delay = retry.policy === 'exponential' ? retry.initialIntervalMs : retry.durationMs;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if ((retry.maxRetries >= 0 && n >= retry.maxRetries) || !retryable(err, retry)) throw err;
      observed?.observer.resiliencyPolicy(observed.resource, 'retry', observed.direction, observed.target, true);
      await sleep(retry.policy === 'exponential' ? jitter(delay) : delay);
      if (retry.policy === 'exponential') delay = Math.min(delay * 1.5, retry.maxIntervalMs);
    }
  }
}

/** The randomised interval of an exponential backoff: ±50 %, as daprd's backoff library does. */
function jitter(ms: number): number {
  return ms * (0.5 + Math.random());
}

/** Handed to operations that have no timeout: it never aborts, and sharing it saves an allocation per call. */
const NEVER_ABORTED = new AbortController().signal;

/** daprd counts each policy of the definition once per call it governs. */
function reportApplied(policy: PolicyDefinition, o: ObservedPolicy): void {
  if (policy.timeoutMs) o.observer.resiliencyPolicy(o.resource, 'timeout', o.direction, o.target, false);
  if (policy.retry) o.observer.resiliencyPolicy(o.resource, 'retry', o.direction, o.target, false);
  if (policy.circuitBreaker) o.observer.resiliencyPolicy(o.resource, 'circuitbreaker', o.direction, o.target, false);
}

async function withTimeout<T>(ms: number | undefined, fn: (signal: AbortSignal) => Promise<T>, observed?: ObservedPolicy): Promise<T> {
  if (!ms) return fn(NEVER_ABORTED);
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      observed?.observer.resiliencyPolicy(observed.resource, 'timeout', observed.direction, observed.target, true);
      reject(new PolicyTimeoutError(ms));
    }, ms);
  });
  try {
    return await Promise.race([fn(ac.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
