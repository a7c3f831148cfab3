import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../../src/sidecar.js';
import { component, resourcesDir } from '../support/resources.js';
import { publish, routeDoc, routeMetadata, startRecordingApp, startSidecar, subscriptionDoc, waitFor } from './route-harness.js';

/** The same route on each real broker: steps, a pub/sub sink, and at-least-once when a sink fails. */
const brokers = {
  redis: () => component('bus', 'pubsub.redis', { redisHost: inject('redisAddress'), processingTimeout: '1s', redeliverInterval: '300ms' }),
  kafka: () => component('bus', 'pubsub.kafka', { brokers: inject('kafkaBrokers'), initialOffset: 'oldest', sessionTimeout: '6s', heartbeatInterval: '1s', consumeRetryInterval: '200ms' }),
};

describe.each(Object.entries(brokers))('a route on the %s broker', (broker, busYaml) => {
  const run = randomUUID().slice(0, 8);
  const t = (name: string) => `route-${broker}-${name}-${run}`;
  let dir = '';
  let app: Awaited<ReturnType<typeof startRecordingApp>>;
  let sidecar: Sidecar;
  let base = '';

  beforeAll(async () => {
    dir = resourcesDir({
      'bus.yaml': busYaml(),
      'subs.yaml': subscriptionDoc('bus', t('out')),
      'routes.yaml': [
        routeDoc(
          'orders',
          `from: { pubsub: bus, topic: ${t('in')} }
steps:
  - filter: "event.data.total > 100"
  - transform: { jsonata: "lines.{ 'sku': sku, 'order': %.id }" }
  - split: "$"
to: [{ pubsub: bus, topic: ${t('out')} }]`,
        ),
        routeDoc('flaky', `from: { pubsub: bus, topic: ${t('flaky')} }\nto: [{ invoke: { appId: brokers-${broker}, method: flaky } }]`),
      ].join('---\n'),
    });
    app = await startRecordingApp();
    ({ sidecar, base } = await startSidecar(`brokers-${broker}`, dir, app.port));
    await waitFor(async () => (await fetch(`${base}/v1.0/healthz`)).status === 204, 'sidecar ready', 60_000);
    await waitFor(async () => (await routeMetadata(base)).filter((r) => r.status === 'running').length === 2, 'routes running', 30_000);
  }, 90_000);
  afterAll(async () => {
    await sidecar?.stop();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('filters, transforms and splits into a topic', async () => {
    expect((await publish(base, 'bus', t('in'), { id: 'cheap', total: 5, lines: [{ sku: 'z' }] })).status).toBe(204);
    expect((await publish(base, 'bus', t('in'), { id: 'o1', total: 500, lines: [{ sku: 'a' }, { sku: 'b' }] })).status).toBe(204);
    await waitFor(() => app.on(`/out/${t('out')}`).length >= 2, 'two lines', 60_000);
    const data = app.on(`/out/${t('out')}`).map((r) => (r.body as { data: unknown }).data);
    expect(data).toEqual(expect.arrayContaining([{ sku: 'a', order: 'o1' }, { sku: 'b', order: 'o1' }]));
    await waitFor(async () => (await routeMetadata(base)).find((r) => r.name === 'orders')?.counters.filtered === 1, 'the filtered count', 30_000);
  }, 90_000);

  it('leaves a message its sink refused with the broker, which redelivers it until the sink accepts it', async () => {
    app.failing.add('/flaky');
    await publish(base, 'bus', t('flaky'), { n: 1 });
    await waitFor(async () => ((await routeMetadata(base)).find((r) => r.name === 'flaky')?.counters.failed ?? 0) >= 2, 'two failed attempts', 60_000);
    expect(app.on('/flaky')).toEqual([]);
    app.failing.delete('/flaky');
    const got = await waitFor(() => app.on('/flaky')[0], 'the redelivered message', 60_000);
    expect(got.body).toEqual({ n: 1 });
    const counters = (await routeMetadata(base)).find((r) => r.name === 'flaky')!.counters;
    expect(counters.in).toBe(counters.failed + 1);
    expect(counters.out).toBe(1);
  }, 90_000);
});
