import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/sidecar.js';
import { component, resourcesDir } from '../support/resources.js';
import { publish, routeDoc, routeMetadata, startRecordingApp, startSidecar, subscriptionDoc, waitFor } from './route-harness.js';

const dir = resourcesDir({
  'bus.yaml': component('bus', 'pubsub.in-memory'),
  'ticks.yaml': component('ticks', 'bindings.cron', { schedule: '@every 1s' }),
  'subs.yaml': ['hooked', 'dead'].map((t) => subscriptionDoc('bus', t)).join('---\n'),
  'hooks.yaml': [
    routeDoc(
      'github',
      `from: { http: { path: /hooks/github } }
steps:
  - transform: { setAttributes: { type: com.github.push }, removeHeaders: [x-secret] }
to:
  - { invoke: { appId: sources, method: hooked } }
  - { pubsub: bus, topic: hooked }`,
    ),
    routeDoc('refused', 'from: { http: { path: /hooks/refused, method: PUT } }\nto: [{ invoke: { appId: sources, method: refuse } }]\ndeadLetter: { pubsub: bus, topic: dead }'),
    routeDoc('no-dead-letter', 'from: { http: { path: /hooks/lost } }\nto: [{ invoke: { appId: sources, method: refuse } }]'),
    routeDoc('bad-data', 'from: { pubsub: bus, topic: bad-data }\nsteps:\n  - filter: "event.data.a.b > 1"\nto: [{ pubsub: bus, topic: hooked }]\ndeadLetter: { pubsub: bus, topic: dead }'),
  ].join('---\n'),
  // Calls to the app are retried twice by the Resiliency policy before the route gives up on them.
  'resiliency.yaml': `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: route-retries
spec:
  policies:
    retries:
      twice: { policy: constant, duration: 10ms, maxRetries: 2 }
  targets:
    apps:
      sources: { retry: twice }
`,
  'ticks-route.yaml': routeDoc('ticks', 'from: { binding: ticks }\nto: [{ invoke: { appId: sources, method: tick } }]'),
});

let app: Awaited<ReturnType<typeof startRecordingApp>>;
let sidecar: Sidecar;
let base = '';

beforeAll(async () => {
  app = await startRecordingApp();
  app.failing.add('/refuse');
  ({ sidecar, base } = await startSidecar('sources', dir, app.port));
  await waitFor(async () => (await fetch(`${base}/v1.0/healthz`)).status === 204, 'sidecar ready');
});
afterAll(async () => {
  await sidecar?.stop();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const route = async (name: string) => (await routeMetadata(base)).find((r) => r.name === name);

describe('route sources', () => {
  it('turns a webhook into a message: body → data, content-type → datacontenttype, headers → headers; 204 once the sinks accepted it', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await fetch(`${base}/hooks/github?ignored=1`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-secret': 's', traceparent }, body: JSON.stringify({ ref: 'main' }) });
    expect(res.status).toBe(204);
    // Accepted means delivered: the app call is done before the answer.
    const call = app.on('/hooked')[0];
    expect(call.body).toEqual({ ref: 'main' });
    expect(call.headers).toMatchObject({ 'x-github-event': 'push', 'ce-type': 'com.github.push', 'ce-source': '/hooks/github', 'content-type': 'application/json' });
    expect(call.headers['x-secret']).toBeUndefined();
    expect(String(call.headers.traceparent).split('-')[1]).toBe(traceparent.split('-')[1]);
    const event = (await waitFor(() => app.on('/out/hooked')[0], 'the published event')).body as Record<string, unknown>;
    expect(event).toMatchObject({ type: 'com.github.push', data: { ref: 'main' }, datacontenttype: 'application/json' });
    expect(String(event.traceparent).split('-')[1]).toBe(traceparent.split('-')[1]);
  });

  it('keeps text payloads as text and answers other methods and paths as before', async () => {
    expect((await fetch(`${base}/hooks/github`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })).status).toBe(204);
    expect(app.on('/hooked').at(-1)!.body).toBe('hello');
    // A structured CloudEvent is the event itself.
    const ce = { specversion: '1.0', id: 'ev-1', source: 'https://github.com', type: 'ignored', data: { x: 1 } };
    expect((await fetch(`${base}/hooks/github`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(ce) })).status).toBe(204);
    expect(app.on('/hooked').at(-1)).toMatchObject({ body: { x: 1 }, headers: { 'ce-id': 'ev-1', 'ce-source': 'https://github.com', 'ce-type': 'com.github.push' } });
    // A body that says it is JSON and is not: the caller's mistake, refused before the route sees it.
    const before = (await route('github'))!.counters.in;
    for (const type of ['application/json', 'application/cloudevents+json']) {
      const bad = await fetch(`${base}/hooks/github`, { method: 'POST', headers: { 'content-type': type }, body: '{"ref": ' });
      expect(bad.status).toBe(400);
      const error = (await bad.json()) as { errorCode: string; message: string };
      expect(error.errorCode).toBe('ERR_MALFORMED_REQUEST');
      expect(error.message).toContain(`webhook body is not valid JSON (content-type ${type})`);
    }
    const deep = await fetch(`${base}/hooks/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '['.repeat(10_001) + ']'.repeat(10_001) });
    expect(deep.status).toBe(400);
    expect(await deep.json()).toEqual({ errorCode: 'ERR_MALFORMED_REQUEST', message: "webhook body: invalid character '[' exceeded max depth" });
    expect((await route('github'))!.counters.in).toBe(before);
    // Not the route's method: the request goes on to service invocation, which has no target here.
    const other = await fetch(`${base}/hooks/github`, { method: 'PUT', body: 'x' });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { errorCode: string }).errorCode).toBe('ERR_DIRECT_INVOKE');
  });

  it('dead-letters a message its sink refused after retries (202), or answers a Dapr error without a dead letter', async () => {
    const before = app.attempts.get('/refuse') ?? 0;
    const res = await fetch(`${base}/hooks/refused`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    expect(res.status).toBe(202);
    expect(app.attempts.get('/refuse')! - before).toBe(3);
    const dead = (await waitFor(() => app.on('/out/dead').find((r) => (r.body as { deadletterroute?: string }).deadletterroute === 'refused'), 'the dead letter')).body as Record<string, unknown>;
    expect(dead).toMatchObject({ data: { n: 1 }, deadletterreason: expect.stringContaining('answered 500') });
    expect((await route('refused'))!.counters).toEqual({ in: 1, out: 0, filtered: 0, failed: 1, deadLettered: 1 });

    const lost = await fetch(`${base}/hooks/lost`, { method: 'POST', body: '{}' });
    expect(lost.status).toBe(500);
    expect(await lost.json()).toEqual({ errorCode: 'ERR_ROUTE_MESSAGE_FAILED', message: expect.stringContaining('route no-dead-letter: spec.to: invoke sources/refuse') });
  });

  it('dead-letters a message a step fails on', async () => {
    await publish(base, 'bus', 'bad-data', { a: 1 });
    await waitFor(() => app.on('/out/dead').some((r) => (r.body as { deadletterroute?: string }).deadletterroute === 'bad-data'), 'the dead letter');
    const dead = app.on('/out/dead').find((r) => (r.body as { deadletterroute?: string }).deadletterroute === 'bad-data')!.body as Record<string, unknown>;
    expect(dead.deadletterreason).toMatch(/^spec.steps\[0\]: evaluating/);
  });

  it('reads an input binding (cron) as a source', async () => {
    await waitFor(() => app.on('/tick').length >= 2, 'two ticks');
    expect(app.on('/tick')[0].headers['ce-source']).toBe('bindings/ticks');
    expect((await route('ticks'))!.counters.out).toBeGreaterThanOrEqual(2);
  });

  it('hot reload starts new routes, stops removed ones and keeps unchanged ones running', async () => {
    const before = (await route('github'))!.counters.in;
    writeFileSync(join(dir, 'extra.yaml'), routeDoc('extra', 'from: { http: { path: /hooks/extra } }\nto: [{ invoke: { appId: sources, method: extra } }]'));
    await waitFor(async () => (await route('extra'))?.status === 'running', 'the new route');
    expect((await fetch(`${base}/hooks/extra`, { method: 'POST', body: '1' })).status).toBe(204);

    writeFileSync(join(dir, 'extra.yaml'), routeDoc('extra', 'from: { http: { path: /hooks/extra2 } }\nto: [{ invoke: { appId: sources, method: extra } }]'));
    await waitFor(async () => (await fetch(`${base}/hooks/extra2`, { method: 'POST', body: '2' })).status === 204, 'the changed route');
    expect((await fetch(`${base}/hooks/extra`, { method: 'POST', body: '3' })).status).toBe(404);
    expect(app.on('/extra').map((r) => r.body)).toEqual([1, 2]);

    writeFileSync(join(dir, 'bad.yaml'), routeDoc('bad', 'from: { http: { path: /hooks/bad } }\nsteps: [{ filter: "1 +" }]\nto: [{ pubsub: bus, topic: x }]'));
    unlinkSync(join(dir, 'extra.yaml'));
    await waitFor(async () => (await route('extra')) === undefined, 'the removed route');
    expect(await route('bad')).toBeUndefined();
    // The unchanged route kept running: its counters were not reset.
    const deep = await fetch(`${base}/hooks/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '['.repeat(10_001) + ']'.repeat(10_001) });
    expect(deep.status).toBe(400);
    expect(await deep.json()).toEqual({ errorCode: 'ERR_MALFORMED_REQUEST', message: "webhook body: invalid character '[' exceeded max depth" });
    expect((await route('github'))!.counters.in).toBe(before);
  });
});
