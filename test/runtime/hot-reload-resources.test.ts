import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';
import { hotReloadEnabled } from '../../src/runtime/hot-reload/hot-reload.js';
import { Sidecar } from '../../src/sidecar.js';
import { component, resourcesDir } from '../support/resources.js';

const dir = resourcesDir({ 'kv.yaml': component('kv', 'state.in-memory') });
let sidecar: Sidecar;
const lines: Array<Record<string, unknown>> = [];
let base = '';

beforeAll(async () => {
  const { options } = parseRunArgs(['--app-id', 'reload', '--resources-path', dir, '--dapr-grpc-port', '0', '--metrics-port', '0', '--enable-metrics=false'], process.env, dir);
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  sidecar = await Sidecar.start({ ...options, httpPort: 0 }, logger, () => undefined);
  base = `http://127.0.0.1:${sidecar.httpPort}/v1.0`;
});
afterAll(async () => {
  await sidecar?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the file, then waits (bounded) until the sidecar has applied it. */
async function edit(name: string, text: string | undefined): Promise<void> {
  if (text === undefined) unlinkSync(join(dir, name));
  else writeFileSync(join(dir, name), text);
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    await sidecar.reloadSettled();
    if (lines.some((l) => typeof l.msg === 'string' && /component (added|replaced|removed|not reloaded)|resource not reloaded/.test(l.msg) && l.seen !== true)) break;
  }
  for (const l of lines) l.seen = true;
}

const metadata = async () => (await (await fetch(`${base}/metadata`)).json()) as { components: Array<{ name: string; type: string }>; resiliencies?: Array<{ name: string }>; httpEndpoints?: Array<{ name: string }>; extended: Record<string, string> };
const status = async () => JSON.parse((await metadata()).extended.hotReload) as { enabled: boolean; resources: Array<{ kind: string; name: string; status: string; lastError?: string }>; fileErrors: Array<{ file: string; error: string }> };
const save = (store: string, key: string, value: unknown) => fetch(`${base}/state/${store}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ key, value }]) });

describe('hot reload of components', () => {
  it('adds, replaces and removes a state store while serving', async () => {
    expect((await status()).resources).toEqual([expect.objectContaining({ kind: 'Component', name: 'kv', status: 'loaded' })]);

    await edit('orders.yaml', component('orders', 'state.in-memory'));
    expect((await save('orders', 'a', 1)).status).toBe(204);

    await edit('orders.yaml', component('orders', 'state.sqlite', { connectionString: join(dir, '.orders.db') }));
    expect((await metadata()).components).toContainEqual(expect.objectContaining({ name: 'orders', type: 'state.sqlite' }));
    // A new store: the in-memory data is gone, the sqlite one serves.
    expect((await fetch(`${base}/state/orders/a`)).status).toBe(204);
    expect((await save('orders', 'b', 2)).status).toBe(204);

    await edit('orders.yaml', undefined);
    expect((await metadata()).components.map((c) => c.name)).toEqual(['kv']);
    expect((await save('orders', 'c', 3)).status).toBe(400);
    expect((await status()).resources.map((r) => r.name)).toEqual(['kv']);
  });

  it('keeps the previous version when an edit fails validation, initialisation or parsing', async () => {
    await save('kv', 'k', 'v');
    await edit('kv.yaml', component('kv', 'state.in-memory', { bogus: '1' }, '').replace('version: v1', 'version: v9'));
    let s = await status();
    expect(s.resources[0]).toMatchObject({ name: 'kv', status: 'failed', lastError: expect.stringContaining('spec.version') });
    expect(lines.some((l) => l.level === 50 && l.field === 'spec.version' && l.file === join(dir, 'kv.yaml'))).toBe(true);
    expect(await (await fetch(`${base}/state/kv/k`)).json()).toBe('v');

    await edit('kv.yaml', component('kv', 'state.redis', { redisHost: '127.0.0.1:1' }, '  initTimeout: 1s'));
    s = await status();
    expect(s.resources[0]).toMatchObject({ name: 'kv', status: 'failed', lastError: expect.stringContaining('failed to init') });
    expect((await metadata()).components).toContainEqual(expect.objectContaining({ name: 'kv', type: 'state.in-memory' }));

    await edit('kv.yaml', 'kind: Component\nmetadata: [name: kv\n');
    s = await status();
    expect(s.fileErrors).toEqual([{ file: join(dir, 'kv.yaml'), error: expect.stringContaining('invalid YAML') }]);
    expect(await (await fetch(`${base}/state/kv/k`)).json()).toBe('v');

    await edit('kv.yaml', component('kv', 'state.in-memory'));
    s = await status();
    expect(s.fileErrors).toEqual([]);
    expect(s.resources[0]).toMatchObject({ name: 'kv', status: 'loaded' });
  });
});

const resiliency = (name: string, timeout: string) => `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: ${name}
spec:
  policies:
    timeouts:
      quick: ${timeout}
  targets:
    components:
      kv:
        outbound:
          timeout: quick
`;
const endpoint = (name: string, baseUrl: string) => `apiVersion: dapr.io/v1alpha1
kind: HTTPEndpoint
metadata:
  name: ${name}
spec:
  baseUrl: ${baseUrl}
`;

describe('hot reload of Resiliency and HTTPEndpoint resources', () => {
  const waitFor = async (what: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await what()); i++) await new Promise((r) => setTimeout(r, 50));
    await sidecar.reloadSettled();
  };

  it('adds, keeps on a bad edit and removes them', async () => {
    writeFileSync(join(dir, 'policies.yaml'), `${resiliency('policies', '5s')}---\n${endpoint('billing', 'http://127.0.0.1:1')}`);
    await waitFor(async () => ((await metadata()).httpEndpoints ?? []).length > 0);
    expect(await metadata()).toMatchObject({ resiliencies: [{ name: 'policies' }], httpEndpoints: [{ name: 'billing' }] });

    writeFileSync(join(dir, 'policies.yaml'), `${resiliency('policies', 'soon')}---\n${endpoint('billing', 'http://127.0.0.1:1')}`);
    await waitFor(async () => (await status()).resources.some((r) => r.status === 'failed'));
    expect((await status()).resources).toContainEqual(expect.objectContaining({ kind: 'Resiliency', name: 'policies', status: 'failed', lastError: expect.stringContaining('spec.policies.timeouts.quick') }));
    expect((await metadata()).resiliencies).toEqual([{ name: 'policies' }]);
    expect((await save('kv', 'r', 1)).status).toBe(204);

    unlinkSync(join(dir, 'policies.yaml'));
    await waitFor(async () => (await metadata()).httpEndpoints === undefined);
    expect(await metadata()).not.toHaveProperty('httpEndpoints');
    expect(await metadata()).not.toHaveProperty('resiliencies');
    expect((await status()).resources.map((r) => r.name)).toEqual(['kv']);
  });
});

describe('turning hot reload off', () => {
  it('takes the flag or the Configuration feature HotReload, daprd’s name, and is on otherwise', () => {
    const flag = (args: string[]) => parseRunArgs(['--app-id', 'x', ...args], {}, dir).options.disableHotReload;
    expect(hotReloadEnabled(flag([]), {})).toBe(true);
    expect(hotReloadEnabled(flag(['--disable-hot-reload']), {})).toBe(false);
    expect(hotReloadEnabled(false, { features: [{ name: 'HotReload', enabled: false }] })).toBe(false);
    expect(hotReloadEnabled(false, { features: [{ name: 'HotReload', enabled: true }, { name: 'Other', enabled: false }] })).toBe(true);
  });
});
