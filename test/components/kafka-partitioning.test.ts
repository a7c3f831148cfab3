import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBulkPublish } from '../../src/contracts/pubsub.js';
import { collector, createTopic, event, kafkaAdmin, pubsubFactory, seqOf, unique, waitUntil } from './kafka-fixtures.js';

/**
 * Partitions of keys on a three-partition topic, computed independently with Go's hash/fnv the way
 * daprd's Kafka client (sarama's hash partitioner) places them: int32(fnv32a(key)) % 3, negated if < 0.
 */
const DAPRD_PARTITION_OF_3: Record<string, number> = { 'order-1': 1, 'order-2': 1, 'order-3': 0, 'customer-42': 0 };

describe('pubsub.kafka partition keys', () => {
  const factory = pubsubFactory();
  let admin: Admin;

  beforeAll(async () => {
    admin = await kafkaAdmin();
  });

  afterAll(async () => {
    await factory.closeAll();
    await admin.disconnect();
  });

  it('keeps every key in one partition, in publish order, placed where daprd places it', async () => {
    const topic = unique('keys');
    await createTopic(admin, topic, 3);
    const ps = await factory.create({ initialOffset: 'oldest' });
    const sink = collector();
    const sub = await ps.subscribe({ topic, consumerId: unique('group'), metadata: {} }, sink.handler);
    const keys = Object.keys(DAPRD_PARTITION_OF_3);
    const N = 40;
    for (let seq = 0; seq < N; seq++) {
      const key = keys[seq % keys.length]!;
      // Both spellings daprd accepts for the record key.
      const metadata: Record<string, string> = seq % 2 === 0 ? { partitionKey: key } : { __key: key };
      await ps.publish({ topic, data: event(seq), contentType: 'application/json', metadata });
    }
    await waitUntil(() => sink.messages.length >= N, 20_000);
    await sub.close();

    expect(sink.messages).toHaveLength(N);
    for (const key of keys) {
      const mine = sink.messages.filter((m) => m.metadata.__key === key);
      expect(mine.map((m) => m.metadata.__partition), key).toEqual(Array(N / keys.length).fill(String(DAPRD_PARTITION_OF_3[key])));
      const seqs = mine.map(seqOf);
      expect(seqs, `${key} in publish order`).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('writes to an explicit partitionNumber and refuses one the topic does not have', async () => {
    const topic = unique('explicit');
    await createTopic(admin, topic, 3);
    const ps = await factory.create({ initialOffset: 'oldest' });
    const sink = collector();
    const sub = await ps.subscribe({ topic, consumerId: unique('group'), metadata: {} }, sink.handler);
    await ps.publish({ topic, data: event(1), metadata: { partitionNumber: '2', partitionKey: 'order-3' } });
    await expect(ps.publish({ topic, data: event(2), metadata: { partitionNumber: '9' } })).rejects.toThrow(/out of range/);
    await expect(ps.publish({ topic, data: event(3), metadata: { partitionNumber: 'two' } })).rejects.toThrow(/invalid partitionNumber/);
    await waitUntil(() => sink.messages.length >= 1, 10_000);
    await sub.close();
    expect(sink.messages.map((m) => [seqOf(m), m.metadata.__partition])).toEqual([[1, '2']]);
  });

  it('bulk-publishes in one call, keeps key order, and fails only the entries refused before sending', async () => {
    const topic = unique('bulk');
    await createTopic(admin, topic, 3);
    const ps = await factory.create({ initialOffset: 'oldest', maxMessageBytes: '200' });
    expect(hasBulkPublish(ps)).toBe(true);
    if (!hasBulkPublish(ps)) return;
    const entries = Array.from({ length: 12 }, (_, seq) => ({ entryId: `e${seq}`, data: event(seq), metadata: { partitionKey: seq % 2 ? 'order-1' : 'order-3' } }));
    entries.push({ entryId: 'too-big', data: event(99, { pad: 'x'.repeat(300) }), metadata: { partitionKey: 'order-1' } });
    const result = await ps.bulkPublish({ topic, entries, metadata: {} });
    expect(result.failedEntries.map((f) => f.entryId)).toEqual(['too-big']);
    expect(result.failedEntries[0]?.error).toMatch(/maxMessageBytes/);

    const sink = collector();
    const sub = await ps.subscribe({ topic, consumerId: unique('group'), metadata: {} }, sink.handler);
    await waitUntil(() => sink.messages.length >= 12, 10_000);
    await sub.close();
    const odd = sink.messages.filter((m) => m.metadata.__key === 'order-1').map(seqOf);
    expect(odd).toEqual([1, 3, 5, 7, 9, 11]);
    expect(sink.messages.map(seqOf).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  });
});
