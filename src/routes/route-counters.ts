import type { Metrics } from '../observability/metrics.js';
import { routeMessageCounter, type RouteOutcome } from '../observability/route-metrics.js';

/** A route's message counts, listed in the metadata API and, with metrics on, served to Prometheus. */
export class RouteCounters {
  readonly counts: Record<RouteOutcome, number> = { in: 0, out: 0, filtered: 0, failed: 0, deadLettered: 0 };
  readonly #metric?: (outcome: RouteOutcome, n?: number) => void;

  constructor(route: string, metrics?: Metrics) {
    this.#metric = routeMessageCounter(metrics, route);
  }

  add(outcome: RouteOutcome, n = 1): void {
    if (n === 0) return;
    this.counts[outcome] += n;
    this.#metric?.(outcome, n);
  }
}
