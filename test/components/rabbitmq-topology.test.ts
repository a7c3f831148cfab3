import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { PubSubMessage } from '../../src/contracts/pubsub.js';
import { rabbitmqPubSub } from '../../src/components/pubsub/rabbitmq/index.js';
import { adapterPool, initAdapter, sleep, waitUntil } from '../support/adapter-fixtures.js';

const rabbits = adapterPool(rabbitmqPubSub, () => ({ connectionString: inject('amqpUrl') }));
const rabbit = rabbits.open;
/** An adapter whose init is expected to fail. */
const created = (extra: Record<string, string>) => initAdapter(rabbitmqPubSub, { connectionString: inject('amqpUrl'), ...extra });
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

afterAll(rabbits.closeAll);

describe('pubsub.rabbitmq topology and metadata', () => {
  it("accepts the exchange and queue a daprd sidecar with default metadata declared (same names and arguments)", async () => {
    const [topic, appId] = [unique('rmq-dapr'), unique('app')];
    const conn = await connect(inject('amqpUrl'));
    const ch = await conn.createChannel();
    // What daprd's pubsub.rabbitmq declares with its defaults (durable, auto-delete, classic queue).
    await ch.assertExchange(topic, 'fanout', { durable: true, autoDelete: true });
    await ch.assertQueue(`${appId}-${topic}`, { durable: true, autoDelete: true, arguments: { 'x-queue-type': 'classic' } });
    await ch.bindQueue(`${appId}-${topic}`, topic, '');
    const ps = await rabbit();
    const got: PubSubMessage[] = [];
    await ps.subscribe({ topic, consumerId: appId, metadata: {} }, async (m) => void got.push(m));
    ch.publish(topic, '', Buffer.from('from daprd'));
    await waitUntil(() => got.length === 1);
    await conn.close();
    expect(got[0]?.data.toString()).toBe('from daprd');
  });

  it('keeps publishing after an auto-deleted exchange went away with its last queue (daprd defaults)', async () => {
    const [topic, consumerId] = [unique('rmq-autodel'), unique('app')];
    const ps = await rabbit();
    const sub = await ps.subscribe({ topic, consumerId, metadata: {} }, async () => undefined);
    await ps.publish({ topic, data: Buffer.from('1'), metadata: {} });
    await sub.close(); // the queue is deleted with its consumer, the exchange with its last binding
    const conn = await connect(inject('amqpUrl'));
    let exists = true;
    for (let i = 0; i < 50 && exists; i++) {
      // A missing exchange closes the channel with an error: each try gets a fresh channel that expects it.
      const probe = await conn.createChannel();
      probe.on('error', () => undefined);
      exists = await probe.checkExchange(topic).then(() => true, () => false);
      if (exists) await sleep(50);
    }
    await conn.close();
    expect(exists).toBe(false);
    await ps.publish({ topic, data: Buffer.from('2'), metadata: {} });
    const got: string[] = [];
    await ps.subscribe({ topic, consumerId, metadata: {} }, async (m) => void got.push(m.data.toString()));
    await ps.publish({ topic, data: Buffer.from('3'), metadata: {} });
    await waitUntil(() => got.length === 1);
    expect(got).toEqual(['3']);
  });

  it('binds with subscription routingKey values and routes by publish routingKey (exchangeKind direct), in a named queue', async () => {
    const topic = unique('rmq-route');
    const queueName = unique('named');
    const ps = await rabbit({ exchangeKind: 'direct' });
    const got: string[] = [];
    await ps.subscribe({ topic, consumerId: 'ignored', metadata: { routingKey: 'red,green', queueName } }, async (m) => void got.push(m.data.toString()));
    for (const key of ['red', 'blue', 'green']) await ps.publish({ topic, data: Buffer.from(key), metadata: { routingKey: key } });
    await waitUntil(() => got.length >= 2);
    await sleep(200);
    expect(got.sort()).toEqual(['green', 'red']);
    const conn = await connect(inject('amqpUrl'));
    const q = await (await conn.createChannel()).checkQueue(queueName);
    await conn.close();
    expect(q.consumerCount).toBe(1);
  });

  it('carries message properties from publish metadata, and reports them as metadata.* with publishMessagePropertiesToMetadata', async () => {
    const topic = unique('rmq-props');
    const ps = await rabbit({ publishMessagePropertiesToMetadata: 'true' });
    const got: PubSubMessage[] = [];
    await ps.subscribe({ topic, consumerId: unique('app'), metadata: {} }, async (m) => void got.push(m));
    await ps.publish({ topic, data: Buffer.from('x'), contentType: 'application/json', metadata: { messageID: 'm-1', CorrelationId: 'c-1', type: 'order', priority: '300' } });
    await waitUntil(() => got.length === 1);
    expect(got[0]?.metadata).toMatchObject({ 'metadata.messageid': 'm-1', 'metadata.correlationid': 'c-1', 'metadata.type': 'order', 'metadata.contenttype': 'application/json', messageID: 'm-1' });
  });

  it('delivers higher priorities first from a maxPriority queue', async () => {
    const [topic, consumerId] = [unique('rmq-prio'), unique('app')];
    const ps = await rabbit({ deletedWhenUnused: 'false', concurrencyMode: 'single' });
    const first = await ps.subscribe({ topic, consumerId, metadata: { maxPriority: '10' } }, async () => undefined);
    await first.close();
    for (const p of ['1', '9', '5']) await ps.publish({ topic, data: Buffer.from(p), metadata: { priority: p } });
    const got: string[] = [];
    await ps.subscribe({ topic, consumerId, metadata: { maxPriority: '10' } }, async (m) => void got.push(m.data.toString()));
    await waitUntil(() => got.length === 3);
    expect(got).toEqual(['9', '5', '1']);
  });

  it('connects with protocol, hostname, username and password instead of a connection string', async () => {
    const url = new URL(inject('amqpUrl'));
    const ps = await rabbit({ connectionString: '', hostname: url.host, username: url.username, password: url.password, protocol: 'amqp' });
    const topic = unique('rmq-host');
    const got: string[] = [];
    await ps.subscribe({ topic, consumerId: unique('app'), metadata: {} }, async (m) => void got.push(m.data.toString()));
    await ps.publish({ topic, data: Buffer.from('hello'), metadata: {} });
    await waitUntil(() => got.length === 1);
    expect(got).toEqual(['hello']);
  });

  it('refuses bad metadata naming the field', async () => {
    const ps = await rabbit();
    await expect(ps.subscribe({ topic: 't', consumerId: 'a', metadata: { queueType: 'stream' } }, async () => undefined)).rejects.toThrow(/queueType: "stream"/);
    await expect(ps.subscribe({ topic: 't', consumerId: 'a', metadata: { maxLen: 'many' } }, async () => undefined)).rejects.toThrow(/maxLen: "many"/);
    await expect(created({ protocol: 'amqps' })).rejects.toThrow(/protocol "amqps" does not match/);
    await expect(created({ connectionString: 'amqps://h:5671', saslExternal: 'true' })).rejects.toThrow(/saslExternal needs caCert, clientCert and clientKey/);
    expect(validateAdapterMetadata(rabbitmqPubSub, { connectionString: 'localhost:5672' }).errors[0]?.field).toMatch(/connectionString/);
    expect(validateAdapterMetadata(rabbitmqPubSub, { host: 'amqp://h', exchangeKind: 'x' }).errors[0]?.field).toMatch(/exchangeKind/);
  });

  it('fails init naming the broker when nothing listens', async () => {
    await expect(created({ connectionString: 'amqp://guest:guest@127.0.0.1:1' })).rejects.toThrow(/cannot connect to RabbitMQ at 127\.0\.0\.1:1/);
  });
});
