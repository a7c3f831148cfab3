import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/sidecar.js';
import { freePort } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { publish, routeDoc, routeMetadata, startRecordingApp, startSidecar, waitFor } from './route-harness.js';

const dir = resourcesDir({
  'bus.yaml': component('bus', 'pubsub.in-memory'),
  'routes.yaml': [
    routeDoc('to-app', 'from: { pubsub: bus, topic: orders }\nto: [{ invoke: { appId: late-app, method: got } }]'),
    routeDoc('enrich-app', 'from: { pubsub: bus, topic: lines }\nsteps:\n  - enrich: { invoke: { appId: late-app, method: price } }\nto: [{ pubsub: bus, topic: priced }]'),
    routeDoc('to-topic', 'from: { pubsub: bus, topic: copies }\nto: [{ pubsub: bus, topic: copied }]'),
  ].join('---\n'),
});

let appPort = 0;
let app: Awaited<ReturnType<typeof startRecordingApp>> | undefined;
let sidecar: Sidecar;
let base = '';

beforeAll(async () => {
  appPort = await freePort();
  ({ sidecar, base } = await startSidecar('late-app', dir, appPort));
});
afterAll(async () => {
  await sidecar?.stop();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const statuses = async () => Object.fromEntries((await routeMetadata(base)).map((r) => [r.name, r.status]));

describe('routes that invoke their own app', () => {
  it('read their source once the app is reachable; other routes run at once', async () => {
    expect(await statuses()).toEqual({ 'to-app': 'waiting', 'enrich-app': 'waiting', 'to-topic': 'running' });
    app = await startRecordingApp(appPort);
    await waitFor(async () => Object.values(await statuses()).every((s) => s === 'running'), 'the routes running');
    await waitFor(async () => {
      if (app!.on('/got').length === 0) await publish(base, 'bus', 'orders', { n: 1 });
      return app!.on('/got').length > 0;
    }, 'a message through the route');
    expect(app.on('/got')[0].body).toEqual({ n: 1 });
  });
});
