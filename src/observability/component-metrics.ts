import type { ComponentCategory } from '../contracts/component.js';
import type { ComponentCall } from '../resiliency/component-caller.js';
import type { InstrumentedCategory, Metrics } from './metrics.js';

type Recorder = (metrics: Metrics, name: string, args: unknown[], success: boolean, ms: number) => void;

const op =
  (category: InstrumentedCategory, operation: string): Recorder =>
  (m, name, _args, success, ms) =>
    m.componentCall(category, name, operation, success, ms);

/** Each counted method of a component contract, with daprd's operation names. */
const RECORDERS: Partial<Record<ComponentCategory, Record<string, Recorder>>> = {
  state: { get: op('state', 'get'), set: op('state', 'set'), delete: op('state', 'delete'), bulkGet: op('state', 'bulk_get'), multi: op('state', 'transaction'), query: op('state', 'query') },
  secretstores: { getSecret: op('secretstores', 'get'), bulkGetSecret: op('secretstores', 'bulk_get') },
  configuration: { get: op('configuration', 'get'), subscribe: op('configuration', 'subscribe') },
  bindings: { invoke: (m, name, args, success, ms) => m.componentCall('bindings', name, (args[0] as { operation: string }).operation, success, ms) },
  pubsub: {
    publish: (m, name, args, success, ms) => m.publish(name, (args[0] as { topic: string }).topic, success, ms),
    bulkPublish: (m, name, args, success, ms) => m.publish(name, (args[0] as { topic: string }).topic, success, ms, true),
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
        fn = record ? timed(bound as (...a: unknown[]) => Promise<unknown>, (args, ok, ms) => record(metrics, name, args, ok, ms)) : bound;
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}

function timed(fn: (...a: unknown[]) => Promise<unknown>, record: (args: unknown[], ok: boolean, ms: number) => void) {
  return async (...args: unknown[]) => {
    const started = performance.now();
    try {
      const result = await fn(...args);
      record(args, true, performance.now() - started);
      return result;
    } catch (err) {
      record(args, false, performance.now() - started);
      throw err;
    }
  };
}

/** Input binding events handed to the app, timed from hand-over to the app's answer. */
export function observedInputBindings(call: ComponentCall, metrics: Metrics): ComponentCall {
  if (!metrics.enabled) return call;
  return (component, fn) => call(component, timed(fn, (_args, ok, ms) => metrics.inputBinding(component, ok, ms)) as typeof fn);
}
