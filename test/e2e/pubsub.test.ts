import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { publish, startSubscriberApp, waitFor, type Delivery, type SubscriberApp } from './pubsub-support.js';

const declarative = `apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: declared
spec:
  pubsubname: pubsub
  topic: declared
  routes:
    rules:
      - match: event.data.kind == "special"
        path: /special
    default: /declared
---
apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata:
  name: legacy
spec:
  pubsubname: pubsub
  topic: legacy
  route: /legacy
---
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: not-mine
spec:
  pubsubname: pubsub
  topic: scoped
  routes:
    default: /scoped
scopes: [another-app]
`;

const programmatic = [
  { pubsubname: 'pubsub', topic: 'orders', routes: { rules: [{ match: 'event.type == "widget"', path: '/widgets' }], default: '/orders' } },
  { pubsubname: 'pubsub', topic: 'poison', route: '/poison', deadLetterTopic: 'dead' },
  { pubsubname: 'pubsub', topic: 'drop', route: '/drop', deadLetterTopic: 'dead' },
  { pubsubname: 'pubsub', topic: 'dead', route: '/dead' },
  { pubsubname: 'pubsub', topic: 'expiring', route: '/expiring', deadLetterTopic: 'expired' },
  // Raw, so the expired event is shown to the app instead of being dropped again on this topic.
  { pubsubname: 'pubsub', topic: 'expired', route: '/expired', metadata: { rawPayload: 'true' } },
  { pubsubname: 'pubsub', topic: 'flaky', route: '/flaky' },
  { pubsubname: 'pubsub', topic: 'raw', route: '/raw', metadata: { rawPayload: 'true' } },
  { pubsubname: 'pubsub', topic: 'bulk', route: '/bulk', bulkSubscribe: { enabled: true, maxMessagesCount: 3, maxAwaitDurationMs: 200 } },
];

let app: SubscriberApp;
let mecha: MechaProcess;

beforeAll(async () => {
  app = await startSubscriberApp({
    subscriptions: programmatic,
    behaviors: { '/poison': { status: 'RETRY' }, '/drop': { status: 'DROP' }, '/flaky': { flaky: true }, '/bulk': { bulkRetryOnce: true } },
  });
  const dir = resourcesDir({
    'pubsub.yaml': component('pubsub', 'pubsub.in-memory', { redeliverInterval: '100ms' }),
    'restricted.yaml': component('restricted', 'pubsub.in-memory', { allowedTopics: 'allowed' }),
    'subscriptions.yaml': declarative,
  });
  mecha = await startMecha(['--app-id', 'shop', '--app-port', String(app.port), '--resources-path', dir], {
    cwd: mkdtempSync(join(tmpdir(), 'mecha-pubsub-')),
    readyPath: '/v1.0/healthz',
  });
});

afterAll(async () => {
  await mecha?.stop();
  await app?.stop();
});

describe('pub/sub end to end (in-memory broker)', () => {
  it('wraps a JSON body in a CloudEvent and routes it by CEL rules, default last', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await fetch(`${mecha.url}/v1.0/publish/pubsub/orders`, {
      method: 'POST',
      body: '{"id":1,"big":12345678901234567890}',
      headers: { 'content-type': 'application/json', traceparent },
    });
    expect(res.status).toBe(204);
    const widget = await publish(mecha.url, 'pubsub', 'orders', '{"w":1}', 'application/json', '?metadata.cloudevent.type=widget');
    expect(widget.status).toBe(204);
    const [orders, widgets] = await waitFor(
      async () => [await app.events('/orders'), await app.events('/widgets')],
      ([o, w]) => o.length >= 1 && w.length >= 1,
    );
    const ce = orders[0];
    expect(ce).toMatchObject({ specversion: '1.0', source: 'shop', type: 'com.dapr.event.sent', topic: 'orders', pubsubname: 'pubsub', datacontenttype: 'application/json', tracestate: '' });
    expect(ce.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ce.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ce.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(ce.traceid).toBe(ce.traceparent);
    const raw = (await app.received()).find((d) => d.path === '/orders')!;
    expect(raw.body).toContain('"big":12345678901234567890');
    expect(raw.headers['content-type']).toBe('application/cloudevents+json');
    expect(raw.headers.pubsubname).toBe('pubsub');
    expect(widgets[0]).toMatchObject({ type: 'widget', data: { w: 1 } });
  });

  it('keeps text in data, binary in data_base64, and completes a CloudEvent the publisher built', async () => {
    await publish(mecha.url, 'pubsub', 'legacy', 'plain words');
    await publish(mecha.url, 'pubsub', 'legacy', Buffer.from([0, 1, 254, 255]), 'application/octet-stream');
    const own = { specversion: '1.0', id: 'my-id', source: 'elsewhere', type: 'my.type', datacontenttype: 'application/json', data: { a: 1 }, myext: 'kept' };
    await publish(mecha.url, 'pubsub', 'legacy', JSON.stringify(own), 'application/cloudevents+json');
    const events = await waitFor(() => app.events('/legacy'), (e) => e.length >= 3);
    expect(events.find((e) => e.datacontenttype === 'text/plain;charset=UTF-8' || e.datacontenttype === 'text/plain')).toMatchObject({ data: 'plain words' });
    expect(events.find((e) => e.datacontenttype === 'application/octet-stream')?.data_base64).toBe(Buffer.from([0, 1, 254, 255]).toString('base64'));
    expect(events.find((e) => e.id === 'my-id')).toMatchObject({ source: 'elsewhere', type: 'my.type', myext: 'kept', topic: 'legacy', pubsubname: 'pubsub', data: { a: 1 } });
  });

  it('serves declarative subscriptions (v2alpha1 rules, v1alpha1 route), honours scopes, and lists them in metadata', async () => {
    await publish(mecha.url, 'pubsub', 'declared', '{"kind":"special"}', 'application/json');
    await publish(mecha.url, 'pubsub', 'declared', '{"kind":"plain"}', 'application/json');
    const [special, plain] = await waitFor(async () => [await app.events('/special'), await app.events('/declared')], ([s, p]) => s.length >= 1 && p.length >= 1);
    expect(special[0].data.kind).toBe('special');
    expect(plain[0].data.kind).toBe('plain');
    const md = (await (await fetch(`${mecha.url}/v1.0/metadata`)).json()) as { subscriptions: Array<Record<string, unknown>>; components: Array<Record<string, unknown>> };
    const byTopic = Object.fromEntries(md.subscriptions.map((s) => [s.topic, s]));
    expect(byTopic.declared).toEqual({
      pubsubname: 'pubsub',
      topic: 'declared',
      rules: [{ match: 'event.data.kind == "special"', path: '/special' }, { match: '', path: '/declared' }],
      deadLetterTopic: '',
      type: 'DECLARATIVE',
    });
    expect(byTopic.legacy).toMatchObject({ type: 'DECLARATIVE', rules: [{ match: '', path: '/legacy' }] });
    expect(byTopic.raw).toMatchObject({ type: 'PROGRAMMATIC', metadata: { rawPayload: 'true' } });
    expect(byTopic.poison).toMatchObject({ deadLetterTopic: 'dead' });
    expect(byTopic.scoped).toBeUndefined();
    expect(md.components).toContainEqual({ name: 'pubsub', type: 'pubsub.in-memory', version: 'v1', capabilities: ['SUBSCRIBE_WILDCARDS'] });
  });

  it('retries with backoff, then sends RETRY answers, DROP answers and expired events to the dead-letter topic', async () => {
    await publish(mecha.url, 'pubsub', 'poison', '"bad"', 'application/json');
    await publish(mecha.url, 'pubsub', 'drop', '"unwanted"', 'application/json');
    const expired = { specversion: '1.0', id: 'old', source: 's', type: 't', expiration: '2000-01-01T00:00:00Z', data: 'stale' };
    await publish(mecha.url, 'pubsub', 'expiring', JSON.stringify(expired), 'application/cloudevents+json');
    const dead = await waitFor(() => app.events('/dead'), (e) => e.length >= 2);
    expect(dead.map((e) => e.data).sort()).toEqual(['bad', 'unwanted']);
    const [forwarded] = await waitFor(() => app.events('/expired'), (e) => e.length >= 1);
    expect(JSON.parse(Buffer.from(forwarded.data_base64, 'base64').toString())).toMatchObject({ id: 'old', data: 'stale' });
    expect((await app.events('/poison')).length, 'one delivery and three retries').toBe(4);
    expect(await app.events('/drop')).toHaveLength(1);
    expect(await app.events('/expiring')).toHaveLength(0);
  });

  it('writes expiration for a TTL the broker cannot enforce', async () => {
    const before = Date.now();
    await publish(mecha.url, 'pubsub', 'legacy', '"short-lived"', 'application/json', '?metadata.ttlInSeconds=60');
    const [event] = (await waitFor(() => app.events('/legacy'), (e) => e.some((x) => x.data === 'short-lived'))).filter((x) => x.data === 'short-lived');
    const expiresIn = Date.parse(event.expiration) - before;
    expect(expiresIn).toBeGreaterThan(58_000);
    expect(expiresIn).toBeLessThan(62_000);
  });

  it('delivers every message to a subscriber that keeps failing', async () => {
    for (let seq = 0; seq < 10; seq++) await publish(mecha.url, 'pubsub', 'flaky', JSON.stringify({ seq }), 'application/json');
    const accepted = (ds: Delivery[]) => new Set(ds.filter((d) => d.path === '/flaky' && d.answer === 200).map((d) => JSON.parse(d.body).data.seq));
    const deliveries = await waitFor(() => app.received(), (ds) => accepted(ds).size === 10);
    expect([...accepted(deliveries)].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(deliveries.filter((d) => d.path === '/flaky').length).toBeGreaterThan(10);
  });

  it('passes raw payloads through untouched', async () => {
    const bytes = Buffer.from('not a cloudevent \u00ff');
    const res = await publish(mecha.url, 'pubsub', 'raw', bytes, 'application/octet-stream', '?metadata.rawPayload=true');
    expect(res.status).toBe(204);
    const [event] = await waitFor(() => app.events('/raw'), (e) => e.length >= 1);
    expect(event).toMatchObject({ source: 'Dapr', type: 'com.dapr.event.sent', topic: 'raw', pubsubname: 'pubsub', datacontenttype: 'application/octet-stream' });
    expect(Buffer.from(event.data_base64, 'base64').equals(bytes)).toBe(true);
  });

  it('bulk-publishes entries of every content type, and bulk-delivers with per-entry statuses', async () => {
    const entries = [
      { entryId: 'a', event: { n: 1 }, contentType: 'application/json' },
      { entryId: 'b', event: 'two', contentType: 'text/plain' },
      { entryId: 'c', event: Buffer.from('three').toString('base64'), contentType: 'application/octet-stream', metadata: { extra: 'x' } },
    ];
    const res = await fetch(`${mecha.url}/v1.0-alpha1/publish/bulk/pubsub/bulk`, { method: 'POST', body: JSON.stringify(entries), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(204);
    // The app answers RETRY to each event's first delivery: every entry must come back, then succeed.
    const bulks = await waitFor(() => app.events('/bulk'), (b) => new Set(b.flatMap((x) => x.entries.map((e: any) => e.event.id))).size === 3 && b.flatMap((x) => x.entries).length >= 6);
    expect(bulks[0]).toMatchObject({ type: 'com.dapr.event.sent.bulk', topic: 'bulk', pubsubname: 'pubsub' });
    const events = bulks.flatMap((b) => b.entries).map((e: any) => e.event);
    expect(events.map((e: any) => e.data ?? e.data_base64)).toEqual(expect.arrayContaining([{ n: 1 }, 'two', Buffer.from('three').toString('base64')]));
    expect(bulks.flatMap((b) => b.entries).every((e: any) => e.contentType === 'application/cloudevents+json' && typeof e.entryId === 'string')).toBe(true);
  });

  it('answers bad publish requests with their documented errors', async () => {
    const post = async (path: string, body = '{}', headers: Record<string, string> = { 'content-type': 'application/json' }) => {
      const r = await fetch(`${mecha.url}${path}`, { method: 'POST', body, headers });
      return [r.status, ((await r.json()) as { errorCode: string }).errorCode];
    };
    expect(await post('/v1.0/publish/nope/orders')).toEqual([404, 'ERR_PUBSUB_NOT_FOUND']);
    // daprd has no publish route without both segments: such paths are invocation without an app id.
    expect(await post('/v1.0/publish/pubsub')).toEqual([404, 'ERR_DIRECT_INVOKE']);
    expect(await post('/v1.0/publish')).toEqual([404, 'ERR_DIRECT_INVOKE']);
    expect(await post('/v1.0/publish/pubsub/orders?metadata.rawPayload=maybe')).toEqual([400, 'ERR_PUBSUB_REQUEST_METADATA']);
    expect(await post('/v1.0/publish/pubsub/orders?metadata.ttlInSeconds=soon')).toEqual([400, 'ERR_PUBSUB_REQUEST_METADATA']);
    expect(await post('/v1.0/publish/pubsub/orders', '{not json', { 'content-type': 'application/cloudevents+json' })).toEqual([500, 'ERR_PUBSUB_CLOUD_EVENTS_SER']);
    expect(await post('/v1.0/publish/restricted/other')).toEqual([403, 'ERR_PUBSUB_FORBIDDEN']);
    expect((await publish(mecha.url, 'restricted', 'allowed', '{}', 'application/json')).status).toBe(204);
  });

  it('answers bad bulk publish requests with ERR_PUBSUB_EVENTS_SER', async () => {
    const bulk = async (body: unknown, pubsub = 'pubsub') => {
      const r = await fetch(`${mecha.url}/v1.0-alpha1/publish/bulk/${pubsub}/bulk`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
      return [r.status, ((await r.json()) as { errorCode: string; message: string }).errorCode];
    };
    expect(await bulk({ not: 'an array' })).toEqual([400, 'ERR_PUBSUB_EVENTS_SER']);
    expect(await bulk([{ event: 1, contentType: 'application/json' }])).toEqual([400, 'ERR_PUBSUB_EVENTS_SER']);
    expect(await bulk([{ entryId: 'x', event: 1, contentType: 'application/json' }, { entryId: 'x', event: 2, contentType: 'application/json' }])).toEqual([400, 'ERR_PUBSUB_EVENTS_SER']);
    expect(await bulk([{ entryId: 'x', event: { a: 1 }, contentType: 'text/plain' }])).toEqual([400, 'ERR_PUBSUB_EVENTS_SER']);
    expect(await bulk([{ entryId: 'x', event: 1, contentType: 'application/json' }], 'nope')).toEqual([404, 'ERR_PUBSUB_NOT_FOUND']);
  });
});
