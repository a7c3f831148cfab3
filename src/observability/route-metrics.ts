import { Counter } from 'prom-client';
import type { Metrics } from './metrics.js';

export type RouteOutcome = 'in' | 'out' | 'filtered' | 'failed' | 'deadLettered';

const families = new WeakMap<Metrics, Counter<'app_id' | 'route' | 'outcome'>>();

/**
 * Counts a route's messages in `mecha_route_messages_total{route, outcome}`: a Mecha family of its own,
 * registered with the first route, so a sidecar without routes serves only daprd's families.
 */
export function routeMessageCounter(metrics: Metrics | undefined, route: string): ((outcome: RouteOutcome, n?: number) => void) | undefined {
  if (!metrics?.enabled) return undefined;
  let family = families.get(metrics);
  if (!family) {
    family = new Counter({ name: 'mecha_route_messages_total', help: 'Messages through a Route, by outcome: in (from its source), out (accepted by spec.to), filtered, failed, deadLettered.', labelNames: ['app_id', 'route', 'outcome'], registers: [metrics.registry] });
    families.set(metrics, family);
  }
  const f = family;
  return (outcome, n = 1) => f.inc({ app_id: metrics.appId, route, outcome }, n);
}
