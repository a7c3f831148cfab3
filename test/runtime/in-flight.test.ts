import { describe, expect, it } from 'vitest';
import { trackInFlight } from '../../src/runtime/hot-reload/in-flight.js';

class Store {
  #closed = false;
  calls = 0;
  release?: () => void;
  slow(): Promise<string> {
    this.calls++;
    return new Promise((resolve) => (this.release = () => resolve(this.#closed ? 'closed' : 'ok')));
  }
  sync(): number {
    return 1;
  }
  async close(): Promise<void> {
    this.#closed = true;
  }
}

describe('calls in flight on a component', () => {
  it('are waited for before the component counts as drained', async () => {
    const store = new Store();
    const tracked = trackInFlight(store);
    const call = tracked.instance.slow();
    let drained: boolean | undefined;
    const draining = tracked.drained(5000, 10).then((d) => (drained = d));
    await new Promise((r) => setTimeout(r, 100));
    expect(drained).toBeUndefined();
    store.release!();
    expect(await call).toBe('ok');
    expect(await draining).toBe(true);
    // Private fields stay reachable: methods run on the component itself, close included.
    await tracked.instance.close();
    expect(tracked.instance.sync()).toBe(1);
  });

  it('stop being waited for once the budget is spent', async () => {
    const tracked = trackInFlight(new Store());
    void tracked.instance.slow();
    expect(await tracked.drained(100, 10)).toBe(false);
  });
});
