import { join } from 'node:path';
import { component, resourcesDir } from '../../test/support/resources.js';
import { httpLoad, type HttpTarget } from './load.js';
import { freePort, privateHome, startApp, startSidecar } from './processes.js';
import { measured, pad, result, using, type Scenario } from './scenario-kit.js';

type Store = 'memory' | 'sqlite' | 'redis';
const STATE_TYPES: Record<Store, string> = { memory: 'state.in-memory', sqlite: 'state.sqlite', redis: 'state.redis' };
const JSON_TYPE = { 'content-type': 'application/json' };
const DIRECT: Record<Store, string> = {
  memory: 'an HTTP server reading / writing a Map',
  sqlite: 'an HTTP server with better-sqlite3 (WAL) on a file of its own',
  redis: 'an HTTP server doing ioredis HGET / HSET on a hash like the adapter’s',
};

/** GET or save of one ~payload-sized key: through the sidecar's state API, and directly from a server doing the same. */
export function stateScenario(op: 'get' | 'save', store: Store): Scenario {
  const s = { name: `state-${op}-${store}`, group: 'State', title: `${op} (${STATE_TYPES[store]})` };
  return {
    ...s,
    needs: store === 'redis' ? ['redis'] : [],
    async run(env) {
      const home = privateHome();
      const saveBody = JSON.stringify([{ key: 'k', value: pad(env) }]);
      const addr = store === 'sqlite' ? join(home, 'baseline.db') : env.redisAddress;
      const port = await freePort();
      const direct = await startApp('baseline-server.mjs', [String(port), 'state', store, addr]);
      const baseline = await using([direct], async () => {
        const base = `http://127.0.0.1:${port}`;
        await fetch(`${base}/save`, { method: 'POST', body: saveBody });
        return httpLoad(op === 'get' ? { url: `${base}/get/k`, method: 'GET' } : { url: `${base}/save`, method: 'POST', body: saveBody }, env.load);
      });
      const md: Record<Store, Record<string, string>> = { memory: {}, sqlite: { connectionString: join(home, 'state.db') }, redis: { redisHost: env.redisAddress } };
      const dir = resourcesDir({ 'state.yaml': component('statestore', STATE_TYPES[store], md[store]) });
      const sidecar = await startSidecar(['--app-id', 'bench-state', '--resources-path', dir], home);
      const mecha = await using([sidecar], async () => {
        const base = `${sidecar.url}/v1.0/state/statestore`;
        const seeded = await fetch(base, { method: 'POST', body: saveBody, headers: JSON_TYPE });
        if (seeded.status !== 204) throw new Error(`seeding the state store answered ${seeded.status}: ${await seeded.text()}`);
        const target: HttpTarget = op === 'get' ? { url: `${base}/k`, method: 'GET' } : { url: base, method: 'POST', body: saveBody, headers: JSON_TYPE };
        return measured([{ role: 'sidecar', pid: sidecar.pid }], (onMeasure) => httpLoad(target, env.load, onMeasure));
      });
      return result(s, mecha, baseline, DIRECT[store]);
    },
  };
}
