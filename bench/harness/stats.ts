export interface Latency {
  count: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** Exact percentiles (nearest rank) of latencies in ms. */
export function summarize(samples: number[], errors = 0): Latency {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => r3(s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN);
  return { count: s.length, errors, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999) };
}

export function difference(mecha: Latency, baseline: Latency): Pick<Latency, 'p50' | 'p90' | 'p99' | 'p999'> {
  return { p50: r3(mecha.p50 - baseline.p50), p90: r3(mecha.p90 - baseline.p90), p99: r3(mecha.p99 - baseline.p99), p999: r3(mecha.p999 - baseline.p999) };
}
