import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PubSubMessage } from '../../src/contracts/pubsub.js';
import { collector, committed, event, kafkaAdmin, pubsubFactory, seqOf, sleep, unique, waitUntil } from './kafka-fixtures.js';

describe('pubsub.kafka offsets', () => {
  const factory = pubsubFactory();
  let admin: Admin;

  beforeAll(async () => {
    admin = await kafkaAdmin();
  });

  afterAll(async () => {
    await factory.closeAll();
    await admin.disconnect();
  });

  it('starts a new group at the oldest record with initialOffset oldest, after the newest one otherwise', async () => {
    const topic = unique('initial');
    const publisher = await factory.create();
    for (let seq = 0; seq < 3; seq++) await publisher.publish({ topic, data: event(seq), metadata: {} });

    const [oldest, newest] = [collector(), collector()];
    const subs = [
      await (await factory.create({ initialOffset: 'oldest' })).subscribe({ topic, consumerId: unique('oldest'), metadata: {} }, oldest.handler),
      await (await factory.create({ initialOffset: 'newest' })).subscribe({ topic, consumerId: unique('newest'), metadata: {} }, newest.handler),
    ];
    await publisher.publish({ topic, data: event(3), metadata: {} });
    await waitUntil(() => oldest.messages.length >= 4 && newest.messages.length >= 1, 15_000);
    await sleep(300);
    for (const s of subs) await s.close();
    expect(oldest.messages.map(seqOf)).toEqual([0, 1, 2, 3]);
    expect(newest.messages.map(seqOf)).toEqual([3]);
  });

  it('commits only past records whose handler resolved: a failed one comes back after a restart, nothing behind it is skipped', async () => {
    const topic = unique('commit');
    const group = unique('group');
    const publisher = await factory.create();
    for (let seq = 0; seq < 4; seq++) await publisher.publish({ topic, data: event(seq), metadata: {} });

    // First life: seq 0 succeeds, seq 1 keeps failing, so seq 2 and 3 must wait behind it.
    const firstSeen: number[] = [];
    const first = await factory.create({ initialOffset: 'oldest', consumeRetryInterval: '50ms' });
    const sub = await first.subscribe({ topic, consumerId: group, metadata: {} }, async (m: PubSubMessage) => {
      firstSeen.push(seqOf(m));
      if (seqOf(m) !== 0) throw new Error('the app is down');
    });
    await waitUntil(() => firstSeen.filter((s) => s === 1).length >= 3, 15_000);
    await sub.close();
    await first.close();
    expect(firstSeen.filter((s) => s === 1).length, 'the failed record is read again').toBeGreaterThanOrEqual(3);
    expect(firstSeen.filter((s) => s > 1), 'nothing after the failed record was handed out').toEqual([]);
    expect(await committed(admin, group, topic)).toEqual({ 0: 1 });

    // Second life, same group: starts at the failed record, not after it, and not at the start.
    const second = collector();
    const again = await (await factory.create({ initialOffset: 'oldest' })).subscribe({ topic, consumerId: group, metadata: {} }, second.handler);
    await waitUntil(() => second.messages.length >= 3, 15_000);
    await again.close();
    expect(second.messages.map(seqOf)).toEqual([1, 2, 3]);
    expect(await committed(admin, group, topic)).toEqual({ 0: 4 });
  });

  it('redelivers a record that failed a few times, then moves on in order', async () => {
    const topic = unique('redeliver');
    const ps = await factory.create({ initialOffset: 'oldest', consumeRetryInterval: '20ms' });
    const attempts = new Map<number, number>();
    const done: number[] = [];
    const sub = await ps.subscribe({ topic, consumerId: unique('group'), metadata: {} }, async (m: PubSubMessage) => {
      const seq = seqOf(m);
      attempts.set(seq, (attempts.get(seq) ?? 0) + 1);
      if (seq === 2 && attempts.get(seq)! < 4) throw new Error('transient');
      done.push(seq);
    });
    for (let seq = 0; seq < 6; seq++) await ps.publish({ topic, data: event(seq), metadata: {} });
    await waitUntil(() => done.length >= 6, 15_000);
    await sub.close();
    expect(done).toEqual([0, 1, 2, 3, 4, 5]);
    expect(attempts.get(2)).toBe(4);
  });
});
