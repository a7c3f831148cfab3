import type { KindChannel } from '../runtime/mecha-kinds/mecha-kind.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The topics a valid route's spec reads (its pub/sub source) and publishes to (pub/sub sinks of `spec.to`,
 * `choice` branches and `otherwise`, `wireTap`, `spec.deadLetter`), each naming the field it comes from.
 */
/** The app ids a route's sinks and steps invoke (every `invoke: { appId }` in its spec). */
export function invokedApps(spec: unknown): string[] {
  const found = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 32) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    if (!isObj(v)) return;
    if (isObj(v.invoke) && typeof v.invoke.appId === 'string') found.add(v.invoke.appId);
    for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(spec, 0);
  return [...found];
}

export function routeChannels(name: string, spec: Record<string, unknown>): KindChannel[] {
  const out: KindChannel[] = [];
  const from = spec.from;
  if (isObj(from) && typeof from.pubsub === 'string' && typeof from.topic === 'string') out.push({ pubsubName: from.pubsub, topic: from.topic, action: 'receive', description: `route ${name} reads it` });
  const sink = (s: unknown, field: string) => {
    if (isObj(s) && typeof s.pubsub === 'string' && typeof s.topic === 'string') out.push({ pubsubName: s.pubsub, topic: s.topic, action: 'send', description: `route ${name} publishes to it (${field})` });
  };
  const sinks = (list: unknown, field: string) => (Array.isArray(list) ? list.forEach((s, i) => sink(s, `${field}[${i}]`)) : undefined);
  (Array.isArray(spec.steps) ? spec.steps : []).forEach((step: unknown, i) => {
    if (!isObj(step)) return;
    const at = `spec.steps[${i}]`;
    sink(step.wireTap, `${at}.wireTap`);
    if (Array.isArray(step.choice)) step.choice.forEach((b: unknown, j) => isObj(b) && sinks(b.to, `${at}.choice[${j}].to`));
    sinks(step.otherwise, `${at}.otherwise`);
  });
  sinks(spec.to, 'spec.to');
  sink(spec.deadLetter, 'spec.deadLetter');
  return out;
}
