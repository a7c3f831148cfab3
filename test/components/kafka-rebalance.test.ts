import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PubSubMessage } from '../../src/contracts/pubsub.js';
import { committed, createTopic, event, kafkaAdmin, pubsubFactory, seqOf, sleep, unique, waitUntil } from './kafka-fixtures.js';

/** Records which member acknowledged which sequence number, and how often. */
function ledger() {
  const acks: Array<{ seq: number; member: string; key: string }> = [];
  const handler = (member: string, delayMs = 0) => async (m: PubSubMessage) => {
    if (delayMs) await sleep(delayMs);
    acks.push({ seq: seqOf(m), member, key: m.metadata.__key ?? '' });
  };
  const distinct = () => new Set(acks.map((a) => a.seq));
  return { acks, handler, distinct };
}

describe('pubsub.kafka consumer-group rebalances', () => {
  const factory = pubsubFactory();
  let admin: Admin;

  beforeAll(async () => {
    admin = await kafkaAdmin();
  });

  afterAll(async () => {
    await factory.closeAll();
    await admin.disconnect();
  });

  it('loses nothing and keeps each key in order while a second member joins and the first leaves', async (ctx) => {
    const topic = unique('rebalance');
    const group = unique('group');
    await createTopic(admin, topic, 4);
    const publisher = await factory.create();
    const book = ledger();
    // Handlers slower than the publisher keep a backlog, so every hand-over happens with records in flight.
    const first = await (await factory.create({ initialOffset: 'oldest' })).subscribe({ topic, consumerId: group, metadata: {} }, book.handler('first', 5));
    const N = 300;
    const publish = async (from: number, to: number) => {
      for (let seq = from; seq < to; seq++) await publisher.publish({ topic, data: event(seq), metadata: { partitionKey: `key-${seq % 8}` } });
    };
    await publish(0, 100);
    const second = await (await factory.create({ initialOffset: 'oldest' })).subscribe({ topic, consumerId: group, metadata: {} }, book.handler('second', 5));
    await publish(100, 200);
    await first.close();
    await publish(200, N);
    await waitUntil(() => book.distinct().size === N, 30_000);
    await second.close();

    expect([...book.distinct()].sort((a, b) => a - b)).toEqual([...Array(N).keys()]);
    const members = new Set(book.acks.map((a) => a.member));
    expect(members).toEqual(new Set(['first', 'second']));
    for (let k = 0; k < 8; k++) {
      const firstAcks: number[] = [];
      for (const a of book.acks) if (a.key === `key-${k}` && !firstAcks.includes(a.seq)) firstAcks.push(a.seq);
      expect(firstAcks, `key-${k} acknowledged in publish order`).toEqual([...firstAcks].sort((a, b) => a - b));
    }
    const duplicates = book.acks.length - N;
    expect(duplicates, 'an orderly hand-over commits before it lets go').toBe(0);
    await ctx.annotate(`${N} records, ${book.acks.filter((a) => a.member === 'first').length} by the first member, ${duplicates} duplicates`);
  }, 60_000);

  it('with initialOffset newest, a partition that changes hands before its first commit skips nothing', async () => {
    const topic = unique('newest-handover');
    const group = unique('group');
    await createTopic(admin, topic, 2);
    const publisher = await factory.create();
    // The first member's app refuses everything, so it never commits a thing.
    const refusing = await (await factory.create({ initialOffset: 'newest' })).subscribe({ topic, consumerId: group, metadata: {} }, async () => {
      throw new Error('the app is not ready');
    });
    expect(await committed(admin, group, topic), 'the new group\'s start is recorded before anything is consumed').toEqual({ 0: 0, 1: 0 });
    for (let seq = 0; seq < 6; seq++) await publisher.publish({ topic, data: event(seq), metadata: { partitionNumber: String(seq % 2) } });

    const book = ledger();
    const second = await (await factory.create({ initialOffset: 'newest' })).subscribe({ topic, consumerId: group, metadata: {} }, book.handler('second'));
    await refusing.close();
    await waitUntil(() => book.distinct().size === 6, 15_000);
    await second.close();
    expect([...book.distinct()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  }, 60_000);

  it('finishes and commits a record in flight when the group rebalances, even past the session timeout', async (ctx) => {
    const topic = unique('in-flight');
    const group = unique('group');
    await createTopic(admin, topic, 2);
    const publisher = await factory.create();
    const book = ledger();
    let started = 0;
    // sessionTimeout 6s: the 8 s handler only survives if the member keeps heartbeating while it runs.
    const slowFirst = async (m: PubSubMessage) => {
      if (seqOf(m) === 0) {
        started = Date.now();
        await sleep(8_000);
      }
      await book.handler('first')(m);
    };
    const first = await (await factory.create({ initialOffset: 'oldest' })).subscribe({ topic, consumerId: group, metadata: {} }, slowFirst);
    await publisher.publish({ topic, data: event(0), metadata: { partitionNumber: '0' } });
    await waitUntil(() => started > 0, 10_000);
    await sleep(1_000);

    const joinedAt = Date.now();
    const second = await (await factory.create({ initialOffset: 'oldest' })).subscribe({ topic, consumerId: group, metadata: {} }, book.handler('second'));
    const joinMs = Date.now() - joinedAt;
    expect(book.acks.filter((a) => a.seq === 0)).toEqual([{ seq: 0, member: 'first', key: '' }]);
    expect((await committed(admin, group, topic))[0]).toBe(1);

    for (let seq = 1; seq <= 20; seq++) await publisher.publish({ topic, data: event(seq), metadata: { partitionNumber: String(seq % 2) } });
    await waitUntil(() => book.distinct().size === 21, 15_000);
    await sleep(500);
    await Promise.all([first.close(), second.close()]);
    expect(book.acks.map((a) => a.seq).sort((a, b) => a - b)).toEqual([...Array(21).keys()]);
    expect(new Set(book.acks.filter((a) => a.seq > 0).map((a) => a.member)).size, 'both members own a partition').toBe(2);
    await ctx.annotate(`the joining member waited ${joinMs} ms for the record in flight; ${Date.now() - started} ms in all`);
  }, 60_000);
});
