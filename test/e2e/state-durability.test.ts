import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { startMecha } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

const save = (url: string, store: string, body: unknown) =>
  fetch(`${url}/v1.0/state/${store}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('state through the spawned CLI', () => {
  it('keeps SQLite state across a restart', async () => {
    const dbDir = mkdtempSync(join(tmpdir(), 'mecha-db-'));
    const dir = resourcesDir({ 'state.yaml': component('store', 'state.sqlite', { connectionString: join(dbDir, 'data.db') }) });
    const args = ['--app-id', 'durable', '--resources-path', dir];

    const first = await startMecha(args);
    expect((await save(first.url, 'store', [{ key: 'order-1', value: { qty: 3 } }])).status).toBe(204);
    expect(await first.stop()).toBe(0);

    const second = await startMecha(args);
    const res = await fetch(`${second.url}/v1.0/state/store/order-1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ qty: 3 });
    expect(await second.stop()).toBe(0);
  });

  it('runs on embedded defaults with a durable statestore under .mecha/', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mecha-cwd-'));
    const first = await startMecha(['--app-id', 'quickstart'], { cwd });
    expect((await save(first.url, 'statestore', [{ key: 'k', value: 'v' }])).status).toBe(204);
    await first.stop();
    expect(existsSync(join(cwd, '.mecha', 'state.db'))).toBe(true);

    const second = await startMecha(['--app-id', 'quickstart'], { cwd });
    expect(await (await fetch(`${second.url}/v1.0/state/statestore/k`)).text()).toBe('"v"');
    const metadata = (await (await fetch(`${second.url}/v1.0/metadata`)).json()) as { components: Array<{ name: string }> };
    // Components initialise concurrently, so they are listed in the order they became ready.
    expect(metadata.components.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'configstore', type: 'configuration.in-memory', version: 'v1' },
      { name: 'lockstore', type: 'lock.in-memory', version: 'v1' },
      { name: 'pubsub', type: 'pubsub.in-memory', version: 'v1', capabilities: ['SUBSCRIBE_WILDCARDS'] },
      { name: 'statestore', type: 'state.sqlite', version: 'v1', capabilities: ['ETAG', 'TRANSACTIONAL', 'TTL', 'QUERY_API', 'ACTOR'] },
    ]);
    await second.stop();
  });

  it('starts several sidecars at once on the same embedded state file', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mecha-cwd-'));
    const sidecars = await Promise.all(['a', 'b', 'c'].map((id) => startMecha(['--app-id', id], { cwd, env: { HOME: cwd } })));
    try {
      // Default keys are prefixed by app-id, so each app sees only its own keys in the shared file.
      await Promise.all(
        sidecars.map(async (m, i) => {
          const res = await save(m.url, 'statestore', [{ key: 'k', value: i }]);
          expect(res.status, await res.text()).toBe(204);
        }),
      );
      const values = await Promise.all(sidecars.map(async (m) => (await fetch(`${m.url}/v1.0/state/statestore/k`)).text()));
      expect(values).toEqual(['0', '1', '2']);
    } finally {
      await Promise.all(sidecars.map((m) => m.stop()));
    }
  });

  it('stores Redis state in the daprd layout (<app-id>||<key> hashes)', async () => {
    const address = inject('redisAddress');
    const dir = resourcesDir({ 'redis.yaml': component('cache', 'state.redis', { redisHost: address }) });
    const m = await startMecha(['--app-id', 'redisapp', '--resources-path', dir]);
    try {
      expect((await save(m.url, 'cache', [{ key: 'user', value: { name: 'ada' } }])).status).toBe(204);
      const [host, port] = address.split(':');
      const redis = new Redis({ host, port: Number(port) });
      expect(await redis.hgetall('redisapp||user')).toEqual({ data: '{"name":"ada"}', version: '1' });
      redis.disconnect();
      const res = await fetch(`${m.url}/v1.0/state/cache/user`);
      expect(res.headers.get('etag')).toBe('1');
      const stale = await save(m.url, 'cache', [{ key: 'user', value: 1, etag: '7' }]);
      expect(stale.status).toBe(409);
      expect(((await stale.json()) as { errorCode: string }).errorCode).toBe('ERR_STATE_SAVE');
    } finally {
      await m.stop();
    }
  });

  it('serves in-memory state, with transactions and bulk get', async () => {
    const dir = resourcesDir({ 'mem.yaml': component('mem', 'state.in-memory') });
    const m = await startMecha(['--app-id', 'memapp', '--resources-path', dir]);
    try {
      const tx = await fetch(`${m.url}/v1.0/state/mem/transaction`, {
        method: 'POST',
        body: JSON.stringify({ operations: [{ operation: 'upsert', request: { key: 'a', value: 1 } }, { operation: 'upsert', request: { key: 'b', value: 2 } }] }),
      });
      expect(tx.status).toBe(204);
      const bulk = await fetch(`${m.url}/v1.0/state/mem/bulk`, { method: 'POST', body: JSON.stringify({ keys: ['b', 'zz', 'a'] }) });
      const items = (await bulk.json()) as Array<{ key: string; data?: unknown }>;
      expect(items.map((i) => [i.key, i.data])).toEqual([['b', 2], ['zz', undefined], ['a', 1]]);
    } finally {
      await m.stop();
    }
  });
});
