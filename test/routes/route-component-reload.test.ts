import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/sidecar.js';
import { component, resourcesDir } from '../support/resources.js';
import { publish, routeDoc, routeMetadata, startRecordingApp, startSidecar, waitFor } from './route-harness.js';

const dir = resourcesDir({
  'bus.yaml': component('bus', 'pubsub.in-memory'),
  'ticks.yaml': component('ticks', 'bindings.cron', { schedule: '@every 1s' }),
  'route.yaml': [
    routeDoc('relay', 'from: { pubsub: bus, topic: orders }\nto: [{ invoke: { appId: relay-app, method: got } }]'),
    routeDoc('ticker', 'from: { binding: ticks }\nto: [{ invoke: { appId: relay-app, method: tick } }]'),
  ].join('---\n'),
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

  it('a replaced input binding: the route reads the new one', async () => {
    await waitFor(() => app.on('/tick').length > 0, 'a tick');
    writeFileSync(join(dir, 'ticks.yaml'), component('ticks', 'bindings.cron', { schedule: '@every 2s' }));
    const replaced = await waitFor(() => lines.findIndex((l) => l.msg === 'component replaced' && l.component === 'ticks') + 1, 'the replaced binding');
    await waitFor(() => lines.slice(replaced).some((l) => l.msg === 'route started' && l.route === 'ticker'), 'the route on the new binding');
    // The old instance closes once the reload is done: ticks from then on come from the new one.
    const before = app.on('/tick').length;
    await waitFor(() => app.on('/tick').length >= before + 2, 'two ticks of the new binding');
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
