import { parse } from '@marcbachmann/cel-js';
import { parseDuration } from '../util/duration.js';

/** One retry policy of a Resiliency resource, resolved to numbers. */
export interface RetryPolicy {
  policy: 'constant' | 'exponential';
  durationMs: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
  /** -1: no limit. */
  maxRetries: number;
  /** Codes that are retried; undefined: every failure is. */
  httpStatusCodes?: ReadonlySet<number>;
  grpcStatusCodes?: ReadonlySet<number>;
}

export interface CircuitBreakerPolicy {
  maxRequests: number;
  intervalMs: number;
  timeoutMs: number;
  trip: (counts: Record<string, number>) => unknown;
  tripText: string;
}

/** A target's combined policy: any of timeout, retry, circuit breaker (the breaker is shared state, keyed by name). */
export interface PolicyDefinition {
  name: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
  circuitBreaker?: { key: string; policy: CircuitBreakerPolicy };
  /** Where policy use is reported (metrics), with daprd's labels for it. */
  observed?: ObservedPolicy;
}

export interface ObservedPolicy {
  observer: PolicyObserver;
  /** The Resiliency resource that names the target. */
  resource: string;
  /** `app_<id>` or `<Category>_<component>`, as daprd labels targets. */
  target: string;
  direction: 'inbound' | 'outbound';
}

export interface PolicyObserver {
  resiliencyPolicy(resource: string, policy: 'retry' | 'timeout' | 'circuitbreaker', direction: 'inbound' | 'outbound', target: string, activated: boolean): void;
}

export function parseRetry(raw: Record<string, unknown>, where: string): RetryPolicy {
  const policy = raw.policy === undefined ? 'constant' : String(raw.policy);
  if (policy !== 'constant' && policy !== 'exponential') throw new Error(`${where}.policy: must be constant or exponential, got "${policy}"`);
  const matching = (raw.matching ?? {}) as Record<string, unknown>;
  return {
    policy,
    durationMs: duration(raw.duration, '5s', `${where}.duration`),
    initialIntervalMs: duration(raw.initialInterval, '500ms', `${where}.initialInterval`),
    maxIntervalMs: duration(raw.maxInterval, '60s', `${where}.maxInterval`),
    maxRetries: integer(raw.maxRetries, -1, `${where}.maxRetries`),
    httpStatusCodes: codeSet(matching.httpStatusCodes, 100, 599, `${where}.matching.httpStatusCodes`),
    grpcStatusCodes: codeSet(matching.gRPCStatusCodes, 0, 16, `${where}.matching.gRPCStatusCodes`),
  };
}

export function parseCircuitBreaker(raw: Record<string, unknown>, where: string): CircuitBreakerPolicy {
  const tripText = raw.trip === undefined ? 'consecutiveFailures > 5' : String(raw.trip);
  let trip: CircuitBreakerPolicy['trip'];
  try {
    trip = parse(tripText) as unknown as CircuitBreakerPolicy['trip'];
  } catch (err) {
    throw new Error(`${where}.trip: not a valid CEL expression (${(err as Error).message.split('\n')[0]})`);
  }
  return {
    maxRequests: Math.max(1, integer(raw.maxRequests, 1, `${where}.maxRequests`)),
    intervalMs: duration(raw.interval, '0s', `${where}.interval`),
    timeoutMs: duration(raw.timeout, '60s', `${where}.timeout`),
    trip,
    tripText,
  };
}

export function duration(v: unknown, fallback: string, where: string): number {
  const text = v === undefined || v === null || v === '' ? fallback : String(v);
  const ms = parseDuration(text);
  if (ms === undefined || ms < 0) throw new Error(`${where}: expected a duration such as "5s", got "${text}"`);
  return ms;
}

function integer(v: unknown, fallback: number, where: string): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${where}: expected a whole number, got "${String(v)}"`);
  return n;
}

/** `"429,500-599"` → the set of codes; codes outside [min, max] are refused. */
function codeSet(v: unknown, min: number, max: number, where: string): ReadonlySet<number> | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const set = new Set<number>();
  for (const part of String(v).split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] ? Number(m[2]) : lo;
    if (!m || lo < min || hi > max || lo > hi) throw new Error(`${where}: "${part}" is not a code or range within ${min}-${max}`);
    for (let c = lo; c <= hi; c++) set.add(c);
  }
  return set;
}
