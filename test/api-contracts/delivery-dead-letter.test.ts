import { rmSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { publish, startSubscriberApp, waitFor, type SubscriberApp } from '../e2e/pubsub-support.js';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { contract } from './contract-fixtures.js';

/** The subscriber's contract: it receives Orders on `<pubsub>/orders` and on `<pubsub>/audit`. */
const receiving = (pubsub: string) => `asyncapi:
  asyncapi: 3.0.0
  info: { title: warehouse, version: 1.0.0 }
  channels:
    orders:
      address: ${pubsub}/orders
      messages:
        order: { payload: { $ref: '#/components/schemas/Order' } }
    audit:
      address: ${pubsub}/audit
      messages:
        order: { payload: { $ref: '#/components/schemas/Order' } }
  operations:
    takeOrders: { action: receive, channel: { $ref: '#/channels/orders' } }
    takeAudit: { action: receive, channel: { $ref: '#/channels/audit' } }
  components:
    schemas:
      Order:
        type: object
        required: [id, qty]
        properties:
          id: { type: string }
          qty: { type: integer, minimum: 1 }`;

const running: Array<{ stop(): Promise<unknown> }> = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const p of running.reverse()) await p.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function subscriber(pubsubComponent: string, appId: string): Promise<{ app: SubscriberApp; mecha: MechaProcess; metricsPort: number }> {
  const dir = resourcesDir({ 'pubsub.yaml': pubsubComponent, 'contract.yaml': contract('warehouse-in', receiving('pubsub')) });
  dirs.push(dir);
  const app = await startSubscriberApp({
    subscriptions: [
      { pubsubname: 'pubsub', topic: 'orders', route: '/orders', deadLetterTopic: 'orders-dead' },
      { pubsubname: 'pubsub', topic: 'orders-dead', route: '/dead' },
      { pubsubname: 'pubsub', topic: 'audit', route: '/audit', bulkSubscribe: { enabled: true, maxMessagesCount: 10, maxAwaitDurationMs: 100 } },
    ],
  });
  running.push(app);
  const metricsPort = await freePort();
  const mecha = await startMecha(['--app-id', appId, '--app-port', String(app.port), '--resources-path', dir, '--metrics-port', String(metricsPort)], { readyPath: '/v1.0/healthz' });
  running.push(mecha);
  return { app, mecha, metricsPort };
}

const brokers = {
  'in-memory': () => component('pubsub', 'pubsub.in-memory'),
  redis: () => component('pubsub', 'pubsub.redis', { redisHost: inject('redisAddress'), processingTimeout: '500ms', redeliverInterval: '200ms' }),
};

describe.each(Object.entries(brokers))('delivery of events that break the subscriber contract (%s)', (name, pubsub) => {
  it('dead-letters them, delivers the valid ones, and drops (logged, counted) those without a dead-letter topic', async () => {
    const { app, mecha, metricsPort } = await subscriber(pubsub(), `warehouse-${name}`);
    expect((await publish(mecha.url, 'pubsub', 'orders', JSON.stringify({ id: 'good', qty: 2 }), 'application/json')).status).toBe(204);
    expect((await publish(mecha.url, 'pubsub', 'orders', JSON.stringify({ id: 'bad', qty: 0 }), 'application/json')).status).toBe(204);
    const dead = await waitFor(() => app.events('/dead'), (e) => e.length >= 1, 15_000);
    expect(dead.map((e) => e.data)).toEqual([{ id: 'bad', qty: 0 }]);
    const delivered = await waitFor(() => app.events('/orders'), (e) => e.length >= 1, 15_000);
    expect(delivered.map((e) => e.data)).toEqual([{ id: 'good', qty: 2 }]);

    // Bulk subscription, no dead-letter topic: the bad event is dropped, the good one delivered.
    await publish(mecha.url, 'pubsub', 'audit', JSON.stringify({ id: 'a-bad' }), 'application/json');
    await publish(mecha.url, 'pubsub', 'audit', JSON.stringify({ id: 'a-good', qty: 1 }), 'application/json');
    const audit = await waitFor(() => app.received(), (ds) => ds.some((d) => d.path === '/audit' && d.body.includes('a-good')), 15_000);
    const bulkBodies = audit.filter((d) => d.path === '/audit').map((d) => d.body).join('\n');
    expect(bulkBodies).toContain('a-good');
    expect(bulkBodies).not.toContain('a-bad');
    const metrics = await waitFor(async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(), (t) => /mecha_contract_violations_total\{[^}]*action="dropped"/.test(t));
    expect(metrics).toMatch(/mecha_contract_violations_total\{[^}]*contract="warehouse-in"[^}]*point="delivery"[^}]*action="dead-lettered"[^}]*\} 1/);
    expect(metrics).toMatch(/mecha_contract_violations_total\{[^}]*point="delivery"[^}]*action="dropped"[^}]*\} 1/);
    expect(mecha.output()).toContain('/qty must be >= 1');
    // Only the valid event reached /orders, even after redelivery intervals passed.
    expect((await app.events('/orders')).map((e) => e.data.id)).toEqual(['good']);
  });
});
