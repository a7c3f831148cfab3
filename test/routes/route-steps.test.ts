import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/sidecar.js';
import { component, resourcesDir } from '../support/resources.js';
import { publish, routeDoc, routeMetadata, startRecordingApp, startSidecar, subscriptionDoc, waitFor } from './route-harness.js';

const outputs = ['out-filter', 'out-transform', 'out-split', 'big', 'small', 'all', 'out-tap', 'priced', 'batches'];
const dir = resourcesDir({
  'bus.yaml': component('bus', 'pubsub.in-memory'),
  'kv.yaml': component('kv', 'state.in-memory'),
  'subs.yaml': outputs.map((t) => subscriptionDoc('bus', t)).join('---\n'),
  'routes.yaml': [
    routeDoc('only-filter', 'from: { pubsub: bus, topic: in-filter }\nsteps:\n  - filter: "event.data.total > 100"\nto: [{ pubsub: bus, topic: out-filter }]'),
    routeDoc(
      'only-transform',
      `from: { pubsub: bus, topic: in-transform }
steps:
  - transform:
      jsonata: "{ 'id': id, 'amount': total * 2, 'by': $event.source }"
      setHeaders: { x-route: transformed }
      setAttributes: { subject: priced }
      removeAttributes: [tracestate]
to:
  - { invoke: { appId: steps, method: /transformed } }
  - { pubsub: bus, topic: out-transform }`,
    ),
    routeDoc(
      'event-into-data',
      `from: { pubsub: bus, topic: in-event }
steps:
  - transform: { jsonata: "{ 'total': total, 'whole': $event }" }
to: [{ state: { store: kv, key: "'event-copy'" } }]`,
    ),
    routeDoc('only-split', 'from: { pubsub: bus, topic: in-split }\nsteps:\n  - split: "lines"\nto: [{ pubsub: bus, topic: out-split }]'),
    routeDoc(
      'only-choice',
      `from: { pubsub: bus, topic: in-choice }
steps:
  - choice:
      - when: "event.data.amount > 1000"
        to: [{ pubsub: bus, topic: big }]
    otherwise: [{ pubsub: bus, topic: small }]
to: [{ pubsub: bus, topic: all }]`,
    ),
    routeDoc('only-tap', 'from: { pubsub: bus, topic: in-tap }\nsteps:\n  - wireTap: { state: { store: kv, key: "\'tap-\' + event.data.id" } }\nto: [{ pubsub: bus, topic: out-tap }]'),
    routeDoc(
      'combined',
      `from: { pubsub: bus, topic: orders }
steps:
  - filter: "event.data.total > 100"
  - transform: { jsonata: "{ 'order': id, 'lines': lines.{ 'sku': sku, 'amount': qty * price } }" }
  - split: "$map(lines, function($l) { { 'order': $$.order, 'sku': $l.sku, 'amount': $l.amount } })"
  - choice:
      - when: "event.data.amount > 1000"
        to: [{ pubsub: bus, topic: big }]
to:
  - { pubsub: bus, topic: priced }
  - { state: { store: kv, key: "event.data.order + '-' + event.data.sku" } }`,
    ),
    routeDoc(
      'with-stateful-steps',
      `from: { pubsub: bus, topic: quotes }
steps:
  - idempotentConsumer: { expression: "event.data.id", stateStore: kv }
  - enrich: { invoke: { appId: steps, method: quote }, merge: { into: quote } }
  - transform: { jsonata: "{ 'id': id, 'customer': customer, 'price': quote.path }" }
  - aggregate: { correlation: "event.data.customer", completionSize: 2, stateStore: kv }
to: [{ pubsub: bus, topic: batches }]`,
    ),
  ].join('---\n'),
});

let app: Awaited<ReturnType<typeof startRecordingApp>>;
let sidecar: Sidecar;
let base = '';

beforeAll(async () => {
  app = await startRecordingApp();
  ({ sidecar, base } = await startSidecar('steps', dir, app.port));
  await waitFor(async () => (await fetch(`${base}/v1.0/healthz`)).status === 204, 'sidecar ready');
});
afterAll(async () => {
  await sidecar?.stop();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const dataOn = (path: string) => app.on(path).map((r) => (r.body as { data: unknown }).data);

describe('route steps on the in-memory broker', () => {
  it('filter lets through only what the CEL expression accepts', async () => {
    for (const total of [50, 150, 101, 100]) expect((await publish(base, 'bus', 'in-filter', { total })).status).toBe(204);
    await waitFor(() => app.on('/out/out-filter').length >= 2, 'two filtered events');
    await waitFor(async () => (await routeMetadata(base)).find((r) => r.name === 'only-filter')?.counters.filtered === 2, 'filtered counter');
    expect(dataOn('/out/out-filter').sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([{ total: 101 }, { total: 150 }]);
    const counters = (await routeMetadata(base)).find((r) => r.name === 'only-filter')!.counters;
    expect(counters).toEqual({ in: 4, out: 2, filtered: 2, failed: 0, deadLettered: 0 });
  });

  it('transform rewrites data with JSONata, sets headers and attributes, and invokes an app with the CloudEvent attributes', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await fetch(`${base}/v1.0/publish/bus/in-transform`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent, tracestate: 'a=b' }, body: JSON.stringify({ id: 'o1', total: 21 }) });
    const call = await waitFor(() => app.on('/transformed')[0], 'the app call');
    expect(call.body).toEqual({ id: 'o1', amount: 42, by: 'steps' });
    expect(call.headers['ce-subject']).toBe('priced');
    expect(call.headers['ce-source']).toBe('steps');
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['ce-tracestate']).toBeUndefined();
    const event = (await waitFor(() => app.on('/out/out-transform')[0], 'the published event')).body as Record<string, unknown>;
    expect(event).toMatchObject({ data: { id: 'o1', amount: 42 }, subject: 'priced', topic: 'out-transform', pubsubname: 'bus' });
    // The trace continues: same trace id (the publish span may give it a span id of its own).
    expect(String(event.traceparent).split('-')[1]).toBe(traceparent.split('-')[1]);
    expect(event.tracestate).toBe('');
  });

  it('transform can put $event into the data: the data holds the event as it came in, not the message itself', async () => {
    await publish(base, 'bus', 'in-event', { total: 3 });
    const saved = await waitFor(async () => {
      const res = await fetch(`${base}/v1.0/state/kv/event-copy`);
      return res.status === 200 ? ((await res.json()) as { total: number; whole: Record<string, unknown> }) : undefined;
    }, 'the saved copy');
    expect(saved.total).toBe(3);
    expect(saved.whole).toMatchObject({ data: { total: 3 }, topic: 'in-event', pubsubname: 'bus' });
  });

  it('split gives one message per array element, with stable ids', async () => {
    await publish(base, 'bus', 'in-split', { lines: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    await waitFor(() => app.on('/out/out-split').length >= 3, 'three parts');
    const events = app.on('/out/out-split').map((r) => r.body as { id: string; data: { n: number } });
    expect(events.map((e) => e.data.n).sort()).toEqual([1, 2, 3]);
    const ids = events.map((e) => e.id);
    expect(new Set(ids.map((id) => id.replace(/-\d$/, ''))).size).toBe(1);
    expect(ids.map((id) => id.slice(-2)).sort()).toEqual(['-0', '-1', '-2']);
  });

  it('choice sends to the first matching branch or otherwise, and the message continues to spec.to', async () => {
    await publish(base, 'bus', 'in-choice', { amount: 5000 });
    await publish(base, 'bus', 'in-choice', { amount: 5 });
    await waitFor(() => app.on('/out/all').length >= 2, 'both in spec.to');
    await waitFor(() => app.on('/out/big').length >= 1 && app.on('/out/small').length >= 1, 'one in each branch');
    expect(dataOn('/out/big')).toEqual([{ amount: 5000 }]);
    expect(dataOn('/out/small')).toEqual([{ amount: 5 }]);
  });

  it('wireTap copies to its sink while the message continues', async () => {
    await publish(base, 'bus', 'in-tap', { id: 'w1' });
    await waitFor(() => app.on('/out/out-tap').length >= 1, 'main flow');
    const tapped = await waitFor(async () => {
      const res = await fetch(`${base}/v1.0/state/kv/tap-w1`);
      return res.status === 200 ? res.json() : undefined;
    }, 'the tapped copy');
    expect(tapped).toEqual({ id: 'w1' });
  });

  it('runs filter, transform, split and choice together into pub/sub and state', async () => {
    await publish(base, 'bus', 'orders', { id: 'small', total: 10, lines: [{ sku: 'x', qty: 1, price: 10 }] });
    await publish(base, 'bus', 'orders', { id: 'o-7', total: 2100, lines: [{ sku: 'a', qty: 2, price: 50 }, { sku: 'b', qty: 1, price: 2000 }] });
    await waitFor(() => app.on('/out/priced').length >= 2, 'two priced lines');
    expect(dataOn('/out/priced').sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { order: 'o-7', sku: 'a', amount: 100 },
      { order: 'o-7', sku: 'b', amount: 2000 },
    ]);
    await waitFor(() => dataOn('/out/big').some((d) => (d as { sku?: string }).sku === 'b'), 'the big line');
    expect(await (await fetch(`${base}/v1.0/state/kv/o-7-a`)).json()).toEqual({ order: 'o-7', sku: 'a', amount: 100 });
    const counters = (await routeMetadata(base)).find((r) => r.name === 'combined')!.counters;
    expect(counters).toMatchObject({ in: 2, out: 2, filtered: 1, failed: 0 });
  });

  it('runs the stateful steps (idempotentConsumer, enrich, aggregate) between its own', async () => {
    const filtered = async () => (await routeMetadata(base)).find((r) => r.name === 'with-stateful-steps')?.counters.filtered;
    // One at a time: a copy arriving while the first is still in flight passes (at least once, not exactly once).
    await publish(base, 'bus', 'quotes', { id: 'q1', customer: 'c1' });
    await waitFor(async () => (await filtered()) === 1, 'q1 held by the aggregator');
    await publish(base, 'bus', 'quotes', { id: 'q1', customer: 'c1' });
    await waitFor(async () => (await filtered()) === 2, 'the copy of q1 ended');
    await publish(base, 'bus', 'quotes', { id: 'q2', customer: 'c1' });
    const batch = (await waitFor(() => app.on('/out/batches')[0], 'the aggregated batch')).body as { data: unknown };
    expect(batch.data).toEqual([
      { id: 'q1', customer: 'c1', price: '/quote' },
      { id: 'q2', customer: 'c1', price: '/quote' },
    ]);
    // The duplicate q1 was ended by the idempotent consumer, recorded only once q1 was delivered.
    await waitFor(async () => (await routeMetadata(base)).find((r) => r.name === 'with-stateful-steps')?.counters.in === 3, 'three in');
    expect(app.on('/quote')).toHaveLength(2);
  });
});
