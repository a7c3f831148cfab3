import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/sidecar.js';
import { component, resourcesDir } from '../support/resources.js';
import { publish, routeDoc, routeMetadata, startRecordingApp, startSidecar, waitFor } from './route-harness.js';

const dir = resourcesDir({
  'bus.yaml': component('bus', 'pubsub.in-memory'),
  'route.yaml': routeDoc('relay', 'from: { pubsub: bus, topic: orders }\nto: [{ invoke: { appId: relay-app, method: got } }]'),
});

let app: Awaited<ReturnType<typeof startRecordingApp>>;
let sidecar: Sidecar;
let base = '';
let lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  app = await startRecordingApp();
  ({ sidecar, base, lines } = await startSidecar('relay-app', dir, app.port));
  await waitFor(async () => (await fetch(`${base}/v1.0/healthz`)).status === 204, 'sidecar ready');
});
afterAll(async () => {
  await sidecar?.stop();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const relay = async () => (await routeMetadata(base)).find((r) => r.name === 'relay');
/** Publishes `n` until the route delivered it: the publish reaches the current component, which the route must read. */
const flows = (n: number) =>
  waitFor(async () => {
    if (!app.on('/got').some((r) => (r.body as { n?: number }).n === n)) await publish(base, 'bus', 'orders', { n });
    return app.on('/got').some((r) => (r.body as { n?: number }).n === n);
  }, `message ${n} through the route`);

describe('routes follow their source component on hot reload', () => {
  it('a replaced pub/sub component: the route reads from the new instance, its counters kept', async () => {
    await flows(1);
    writeFileSync(join(dir, 'bus.yaml'), component('bus', 'pubsub.in-memory', { note: 'replaced' }));
    // Published from here on, messages reach the new instance only.
    await waitFor(() => lines.some((l) => l.msg === 'component replaced' && l.component === 'bus'), 'the replaced component');
    await flows(2);
    expect((await relay())!.counters.in).toBeGreaterThanOrEqual(2);
    expect((await relay())!.status).toBe('running');
  });

  it('a removed component fails the route; added back, the route runs again', async () => {
    unlinkSync(join(dir, 'bus.yaml'));
    const failed = await waitFor(async () => ((await relay())?.status === 'failed' ? relay() : undefined), 'the route failed');
    expect(failed!.error).toBe('pubsub bus is not found');
    writeFileSync(join(dir, 'bus.yaml'), component('bus', 'pubsub.in-memory'));
    await waitFor(async () => (await relay())?.status === 'running', 'the route running again');
    await flows(3);
  });
});
