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
    expect(addresses).toEqual(['pubsub/orders', 'pubsub/payments', 'pubsub/refunds']);
    const ops = Object.values(doc.operations as Record<string, { action: string; channel: { $ref: string }; description: string }>);
    const byAddress = (address: string) => ops.filter((o) => doc.channels[o.channel.$ref.split('/').pop()!].address === address).map((o) => o.action).sort();
    expect(byAddress('pubsub/orders')).toEqual(['send']);
    expect(byAddress('pubsub/payments')).toEqual(['receive', 'send']);
    expect(byAddress('pubsub/refunds')).toEqual(['receive']);
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
