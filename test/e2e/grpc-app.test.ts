import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

const GRPC_APP = fileURLToPath(new URL('../support/grpc-echo-app.mjs', import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const RECEIPTS = mkdtempSync(join(tmpdir(), 'mecha-receipts-'));
let grpcApp: MechaProcess;
let caller: MechaProcess;

beforeAll(async () => {
  const appPort = await freePort();
  const resources = resourcesDir({
    'pubsub.yaml': component('pubsub', 'pubsub.in-memory'),
    'ticks.yaml': component('ticks', 'bindings.cron', { schedule: '@every 1s' }),
    'unlisted.yaml': component('unlisted', 'bindings.cron', { schedule: '@every 1s' }),
    'receipts.yaml': component('receipts', 'bindings.localstorage', { rootPath: RECEIPTS }),
  });
  grpcApp = await startMecha(
    ['--app-id', 'grpc-callee', '--app-port', String(appPort), '--app-protocol', 'grpc', '--resources-path', resources, '--enable-app-health-check', '--app-health-probe-interval', '1', '--', process.execPath, GRPC_APP],
    { cwd: HOME, env: { HOME }, readyPath: '/v1.0/healthz' },
  );
  caller = await startMecha(['--app-id', 'http-caller'], { cwd: HOME, env: { HOME } });
});

afterAll(async () => {
  await Promise.all([grpcApp?.stop(), caller?.stop()]);
  rmSync(HOME, { recursive: true, force: true });
  rmSync(RECEIPTS, { recursive: true, force: true });
});

describe('apps that speak gRPC (AppCallback)', () => {
  it('receive HTTP invocations as OnInvoke with verb, query and body', async () => {
    const res = await fetch(`${caller.url}/v1.0/invoke/grpc-callee/method/orders?id=7`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ app: 'grpc-callee', method: 'orders', verb: 'POST', query: 'id=7', body: 'hello', caller: 'http-caller' });
  });

  it('map a gRPC error status to the HTTP status daprd uses', async () => {
    const res = await fetch(`${caller.url}/v1.0/invoke/grpc-callee/method/fail`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 5, message: 'no such thing' });
  });

  it('receive the events they subscribe to (ListTopicSubscriptions) as OnTopicEvent, RETRY redelivering', async () => {
    const publish = (data: unknown) =>
      fetch(`${grpcApp.url}/v1.0/publish/pubsub/orders`, { method: 'POST', body: JSON.stringify(data), headers: { 'content-type': 'application/json' } });
    expect((await publish({ qty: 2 })).status).toBe(204);
    expect((await publish('retry-me')).status).toBe(204);
    const deadline = Date.now() + 8000;
    let events: Array<Record<string, unknown>> = [];
    while (Date.now() < deadline) {
      events = (await (await fetch(`${caller.url}/v1.0/invoke/grpc-callee/method/events`)).json()) as typeof events;
      if (events.length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(events[0]).toMatchObject({ topic: 'orders', pubsub: 'pubsub', path: '/orders', type: 'com.dapr.event.sent', data: '{"qty":2}', contentType: 'application/json' });
    expect(events[0]!.traceid).toEqual(expect.any(String)); // CloudEvent extensions travel as a Struct
    expect(events.filter((e) => e.data === '"retry-me"')).toHaveLength(2);
  });

  it('receive bulk subscriptions as OnBulkTopicEvent with CloudEvent entries, RETRY entries redelivered', async () => {
    const publish = (data: unknown) =>
      fetch(`${grpcApp.url}/v1.0/publish/pubsub/bulk-orders`, { method: 'POST', body: JSON.stringify(data), headers: { 'content-type': 'application/json' } });
    expect((await publish({ n: 1 })).status).toBe(204);
    expect((await publish('retry-me')).status).toBe(204);
    const deadline = Date.now() + 8000;
    let bulk: Array<Record<string, unknown>> = [];
    while (Date.now() < deadline) {
      const events = (await (await fetch(`${caller.url}/v1.0/invoke/grpc-callee/method/events`)).json()) as typeof bulk;
      bulk = events.filter((e) => e.bulk);
      if (bulk.length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(bulk[0]).toMatchObject({ topic: 'bulk-orders', pubsub: 'pubsub', path: '/bulk', data: '{"n":1}' });
    expect(bulk[0]!.traceid).toEqual(expect.any(String));
    expect(bulk.filter((e) => e.data === '"retry-me"')).toHaveLength(2);
  });

  it('receive only the input bindings they list (ListInputBindings) as OnBindingEvent, and fan the answer out to output bindings', async () => {
    const deadline = Date.now() + 10_000;
    let received: Array<{ name: string; metadata: Record<string, string> }> = [];
    while (Date.now() < deadline) {
      received = (await (await fetch(`${caller.url}/v1.0/invoke/grpc-callee/method/bindings`)).json()) as typeof received;
      if (received.length >= 2 && readdirSync(RECEIPTS).length >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(received.length).toBeGreaterThanOrEqual(2);
    expect(new Set(received.map((e) => e.name))).toEqual(new Set(['ticks']));
    expect(received[0]!.metadata).toHaveProperty('readTimeUTC');
    const receipts = readdirSync(RECEIPTS).map((f) => readFileSync(join(RECEIPTS, f), 'utf8'));
    expect(receipts).toContain('receipt 1 for ticks');
  });
});
