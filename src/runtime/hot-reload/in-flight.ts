/**
 * A component as the cores see it while it may be replaced: every call that returns a promise counts as
 * in flight until it settles, so the old instance is closed only once the calls it accepted are answered.
 */
export interface TrackedComponent<T extends object> {
  instance: T;
  /** Resolves once no call has been in flight for `quietMs` (a core may hold the instance between awaits), or after `budgetMs`. */
  drained(budgetMs: number, quietMs?: number): Promise<boolean>;
}

export function trackInFlight<T extends object>(target: T): TrackedComponent<T> {
  let inFlight = 0;
  let lastSettled = Date.now();
  const settle = () => {
    inFlight--;
    lastSettled = Date.now();
  };
  // Keyed by the method itself, so a method replaced on the component gets a wrapper of its own.
  const wrapped = new WeakMap<object, unknown>();
  const instance = new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(value);
      if (fn === undefined) {
        // Bound to the component itself: its private fields are not reachable through the proxy.
        fn = prop === 'close' || prop === 'init' ? value.bind(t) : (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(t, args);
          if (!isThenable(result)) return result;
          inFlight++;
          return result.then(
            (v) => (settle(), v),
            (err: unknown) => {
              settle();
              throw err;
            },
          );
        };
        wrapped.set(value, fn);
      }
      return fn;
    },
  });
  const drained = async (budgetMs: number, quietMs = 100): Promise<boolean> => {
    const deadline = Date.now() + budgetMs;
    lastSettled = Math.max(lastSettled, Date.now());
    while (Date.now() < deadline) {
      if (inFlight === 0 && Date.now() - lastSettled >= quietMs) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return inFlight === 0;
  };
  return { instance, drained };
}

function isThenable(v: unknown): v is Promise<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
