import type { ComponentCategory } from '../contracts/component.js';
import type { ComponentCall } from '../resiliency/component-caller.js';
import type { InstrumentedCategory, Metrics } from './metrics.js';

/** Records one call; `first` is the call's first argument (the request, where labels come from). */
type Recorder = (metrics: Metrics, name: string, first: unknown, success: boolean, ms: number) => void;

const op =
  (category: InstrumentedCategory, operation: string): Recorder =>
  (m, name, _first, success, ms) =>
    m.componentCall(category, name, operation, success, ms);

/** Each counted method of a component contract, with daprd's operation names. */
const RECORDERS: Partial<Record<ComponentCategory, Record<string, Recorder>>> = {
  state: { get: op('state', 'get'), set: op('state', 'set'), delete: op('state', 'delete'), bulkGet: op('state', 'bulk_get'), multi: op('state', 'transaction'), query: op('state', 'query') },
  secretstores: { getSecret: op('secretstores', 'get'), bulkGetSecret: op('secretstores', 'bulk_get') },
  configuration: { get: op('configuration', 'get'), subscribe: op('configuration', 'subscribe') },
  bindings: { invoke: (m, name, req, success, ms) => m.componentCall('bindings', name, (req as { operation: string }).operation, success, ms) },
  pubsub: {
    publish: (m, name, req, success, ms) => m.publish(name, (req as { topic: string }).topic, success, ms),
    bulkPublish: (m, name, req, success, ms) => m.publish(name, (req as { topic: string }).topic, success, ms, true),
  },
};

/**
 * The component as the cores see it when metrics are on: its counted methods time each call and
 * record count and latency; everything else reaches the component unchanged (methods bound to it).
 */
export function instrumentComponent<T extends object>(category: ComponentCategory, name: string, instance: T, metrics: Metrics): T {
  const recorders = RECORDERS[category];
  if (!recorders || !metrics.enabled) return instance;
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(instance, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const record = recorders[prop as string];
        const bound = (value as (...a: unknown[]) => unknown).bind(target);
        fn = record ? timed(bound as (a?: unknown, b?: unknown, c?: unknown) => Promise<unknown>, (first, ok, ms) => record(metrics, name, first, ok, ms)) : bound;
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}

/** Times each call; the counted methods take at most three arguments, so no rest array is built. */
function timed(fn: (a?: unknown, b?: unknown, c?: unknown) => Promise<unknown>, record: (first: unknown, ok: boolean, ms: number) => void) {
  return (a?: unknown, b?: unknown, c?: unknown): Promise<unknown> => {
    const started = performance.now();
    let pending: Promise<unknown>;
    try {
      pending = fn(a, b, c);
    } catch (err) {
      record(a, false, performance.now() - started);
      return Promise.reject(err);
    }
    return pending.then(
      (result) => {
        record(a, true, performance.now() - started);
        return result;
      },
      (err: unknown) => {
        record(a, false, performance.now() - started);
        throw err;
      },
    );
  };
}

/** Input binding events handed to the app, timed from hand-over to the app's answer. */
export function observedInputBindings(call: ComponentCall, metrics: Metrics): ComponentCall {
  if (!metrics.enabled) return call;
  return (component, fn) => call(component, timed(fn, (_first, ok, ms) => metrics.inputBinding(component, ok, ms)) as typeof fn);
}
