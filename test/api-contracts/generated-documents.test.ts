import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDocument } from '../../src/api-contracts/schema-validators.js';
import { startSubscriberApp, type SubscriberApp } from '../e2e/pubsub-support.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { contract, writeContractDocuments } from './contract-fixtures.js';

const dir = resourcesDir({
  'pubsub.yaml': component('pubsub', 'pubsub.in-memory'),
  'payments-sub.yaml': `apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: payments
spec:
  pubsubname: pubsub
  topic: payments
  routes:
    default: /payments
  deadLetterTopic: payments-dead
`,
  'orders.yaml': contract('orders', 'asyncapi: { file: contracts/orders.asyncapi.yaml }'),
  'payments.yaml': contract('payments', 'topics:\n  - pubsubname: pubsub\n    topic: payments\n    schema: { type: object, required: [amount], properties: { amount: { type: number } } }'),
  'shipping-route.yaml': `apiVersion: mecha.io/v1alpha1
kind: Route
metadata:
  name: shipping
spec:
  from: { pubsub: pubsub, topic: shipments }
  steps:
    - wireTap: { pubsub: pubsub, topic: shipments-audit }
    - choice:
        - when: "event.data.weight > 100"
          to: [{ pubsub: pubsub, topic: freight }]
      otherwise: [{ pubsub: pubsub, topic: parcels }]
  to: [{ pubsub: pubsub, topic: payments }]
  deadLetter: { pubsub: pubsub, topic: shipments-dead }
`,
  'own-api.yaml': contract('own-api', 'appId: orders-svc\nopenapi: { file: contracts/orders.openapi.yaml }'),
});
writeContractDocuments(dir);

let app: SubscriberApp;
let mecha: MechaProcess;

beforeAll(async () => {
  app = await startSubscriberApp({ subscriptions: [{ pubsubname: 'pubsub', topic: 'refunds', route: '/refunds' }] });
  mecha = await startMecha(['--app-id', 'orders-svc', '--app-port', String(app.port), '--resources-path', dir], { readyPath: '/v1.0/healthz' });
});
afterAll(async () => {
  await mecha?.stop();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const getJson = async (path: string) => (await (await fetch(`${mecha.url}${path}`)).json()) as Record<string, any>;

describe('the documents the sidecar publishes for its app', () => {
  it('serves a valid AsyncAPI 3.0 document of what the app publishes and subscribes to', async () => {
    const doc = await getJson('/v1.0-alpha1/contracts/asyncapi.json');
    expect(checkDocument('asyncapi-3.0', doc)).toEqual([]);
    const addresses = Object.values(doc.channels as Record<string, { address: string }>).map((c) => c.address).sort();
    expect(addresses).toEqual(['pubsub/freight', 'pubsub/orders', 'pubsub/parcels', 'pubsub/payments', 'pubsub/refunds', 'pubsub/shipments', 'pubsub/shipments-audit', 'pubsub/shipments-dead']);
    const ops = Object.values(doc.operations as Record<string, { action: string; channel: { $ref: string }; description: string }>);
    const byAddress = (address: string) => ops.filter((o) => doc.channels[o.channel.$ref.split('/').pop()!].address === address).map((o) => o.action).sort();
    expect(byAddress('pubsub/orders')).toEqual(['send']);
    expect(byAddress('pubsub/payments')).toEqual(['receive', 'send']);
    expect(byAddress('pubsub/refunds')).toEqual(['receive']);
    // The route reads its source and publishes to every pub/sub sink: spec.to, choice branches, wire tap, dead letter.
    expect(byAddress('pubsub/shipments')).toEqual(['receive']);
    for (const sink of ['freight', 'parcels', 'shipments-audit', 'shipments-dead']) expect(byAddress(`pubsub/${sink}`)).toEqual(['send']);
    const paymentsSend = ops.find((o) => o.action === 'send' && doc.channels[o.channel.$ref.split('/').pop()!].address === 'pubsub/payments')!.description;
    expect(paymentsSend).toBe('orders-svc publishes to pubsub/payments; route shipping publishes to it (spec.to[0])');
    expect(ops.find((o) => o.action === 'receive' && o.description.startsWith('route'))!.description).toBe('route shipping reads it');
    const paymentsReceive = ops.find((o) => o.action === 'receive' && o.description.includes('declarative'))!.description;
    expect(paymentsReceive).toContain('dead letters to payments-dead');
    expect(paymentsReceive).toContain('contract payments gives the events orders-svc accepts');
    // Payload schemas stand alone: the Money schema of the other file is inlined.
    const orders = Object.values(doc.channels as Record<string, any>).find((c) => c.address === 'pubsub/orders');
    expect(orders.messages.Order.payload.properties.total).toMatchObject({ type: 'object', required: ['amount', 'currency'] });
  });

  it("serves the OpenAPI document of the app's methods, from its own contract", async () => {
    const doc = await getJson('/v1.0-alpha1/contracts/openapi.json');
    expect(checkDocument('openapi-3.1', doc)).toEqual([]);
    expect(Object.keys(doc.paths)).toEqual(['/orders/{id}', '/orders/latest', '/orders']);
    expect(doc.paths['/orders/{id}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Order' });
  });
});
