import type { Admin, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collector, createTopic, event, kafkaAdmin, pubsubFactory, unique, waitUntil } from './kafka-fixtures.js';

/** Reads a topic from the start with a plain kafkajs consumer: what is really on the wire. */
async function readRaw(admin: Admin & { kafka: import('kafkajs').Kafka }, topic: string, count: number): Promise<KafkaMessage[]> {
  const got: KafkaMessage[] = [];
  const consumer = admin.kafka.consumer({ groupId: unique('raw'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message) });
  await waitUntil(() => got.length >= count, 15_000);
  await consumer.disconnect();
  return got;
}

describe('pubsub.kafka headers and metadata', () => {
  const factory = pubsubFactory();
  let admin: Awaited<ReturnType<typeof kafkaAdmin>>;

  beforeAll(async () => {
    admin = await kafkaAdmin();
  });

  afterAll(async () => {
    await factory.closeAll();
    await admin.disconnect();
  });

  it('writes every publish metadata entry as a header and the partition key as the record key', async () => {
    const topic = unique('to-headers');
    const ps = await factory.create();
    await ps.publish({ topic, data: event(1), contentType: 'application/json', metadata: { partitionKey: 'order-1', color: 'blue', traceparent: '00-abc-def-01' } });
    const [record] = await readRaw(admin, topic, 1);
    expect(record?.key?.toString()).toBe('order-1');
    const headers = Object.fromEntries(Object.entries(record?.headers ?? {}).map(([k, v]) => [k, String(v)]));
    // daprd writes the routing keys as headers too.
    expect(headers).toEqual({ partitionKey: 'order-1', color: 'blue', traceparent: '00-abc-def-01' });
    expect(JSON.parse(record!.value!.toString())).toEqual({ seq: 1 });
  });

  it('hands record headers and the delivery facts to the handler', async () => {
    const topic = unique('from-headers');
    await createTopic(admin, topic, 1);
    const producer = admin.kafka.producer();
    await producer.connect();
    const timestamp = String(Date.now() - 60_000);
    await producer.send({ topic, messages: [{ key: 'k-7', value: 'raw', timestamp, headers: { region: 'eu', repeated: ['first', 'last'] } }] });
    await producer.disconnect();

    const ps = await factory.create({ initialOffset: 'oldest' });
    const sink = collector();
    const sub = await ps.subscribe({ topic, consumerId: unique('group'), metadata: {} }, sink.handler);
    await waitUntil(() => sink.messages.length >= 1, 10_000);
    await sub.close();
    expect(sink.messages[0]?.data.toString()).toBe('raw');
    expect(sink.messages[0]?.metadata).toEqual({
      __key: 'k-7',
      __offset: '0',
      __partition: '0',
      __topic: topic,
      __timestamp: timestamp,
      region: 'eu',
      repeated: 'last',
    });
  });

  it('round-trips metadata from publisher to subscriber', async () => {
    const topic = unique('round-trip');
    const ps = await factory.create({ initialOffset: 'oldest' });
    const sink = collector();
    const sub = await ps.subscribe({ topic, consumerId: unique('group'), metadata: {} }, sink.handler);
    await ps.publish({ topic, data: event(1), metadata: { __key: 'order-2', tenant: 'acme', 'x-trace': 'ü/1' } });
    await waitUntil(() => sink.messages.length >= 1, 10_000);
    await sub.close();
    expect(sink.messages[0]?.metadata).toMatchObject({ __key: 'order-2', tenant: 'acme', 'x-trace': 'ü/1', __topic: topic });
  });

  it('escapes header values with escapeHeaders and skips keys matching excludeHeaderMetaRegex both ways', async () => {
    const topic = unique('escape');
    const ps = await factory.create({ initialOffset: 'oldest', escapeHeaders: 'true', excludeHeaderMetaRegex: '^secret' });
    await ps.publish({ topic, data: event(1), metadata: { partitionKey: 'a b', note: 'a b&c', 'secret-token': 'never on the wire' } });
    const producer = admin.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'raw', headers: { 'secret-inbound': 'dropped', kept: 'x/y' } }] });
    await producer.disconnect();

    const [published] = await readRaw(admin, topic, 1);
    expect(Object.keys(published?.headers ?? {}).sort()).toEqual(['note', 'partitionKey']);

    const sink = collector();
    const sub = await ps.subscribe({ topic, consumerId: unique('group'), metadata: {} }, sink.handler);
    await waitUntil(() => sink.messages.length >= 2, 10_000);
    await sub.close();
    // Go's url.QueryEscape, as daprd applies it.
    expect(sink.messages[0]?.metadata).toMatchObject({ __key: 'a+b', note: 'a+b%26c', partitionKey: 'a+b' });
    expect(sink.messages[1]?.metadata.kept).toBe('x%2Fy');
    expect(sink.messages[1]?.metadata).not.toHaveProperty('secret-inbound');
  });
});
