export interface Latency {
  /** Requests (or deliveries) measured. */
  count: number;
  /** Failed requests: connection errors, timeouts, non-2xx answers, failed calls. */
  errors: number;
  /** Answered requests per second over the measured window: how well the fixed rate was held. */
  rate?: number;
  /** Publish→deliver only: accepted publishes that were never delivered. */
  lost?: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

export type Percentiles = Pick<Latency, 'p50' | 'p90' | 'p99' | 'p999'>;
export const PERCENTILES = ['p50', 'p90', 'p99', 'p999'] as const;

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** Exact percentiles (nearest rank) of latencies in ms; NaN when there are none. */
export function summarize(samples: number[], errors = 0): Latency {
  const s = Float64Array.from(samples).sort();
  const q = (p: number) => (s.length === 0 ? NaN : r3(s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!));
  return { count: s.length, errors, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999) };
}

export function difference(mecha: Latency, baseline: Latency): Percentiles {
  return { p50: r3(mecha.p50 - baseline.p50), p90: r3(mecha.p90 - baseline.p90), p99: r3(mecha.p99 - baseline.p99), p999: r3(mecha.p999 - baseline.p999) };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
