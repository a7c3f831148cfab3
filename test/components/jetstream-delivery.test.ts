import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { collector, event, pubsubFactory, seqOf, sleep, streamPool, waitUntil } from './jetstream-fixtures.js';

const adapters = pubsubFactory();
const { stream, closeAll: deleteStreams } = streamPool();
afterEach(() => adapters.closeAll());
afterAll(deleteStreams);

const sub = (topic: string) => ({ topic, consumerId: 'ignored-by-jetstream', metadata: {} });

describe('pubsub.jetstream delivery against nats-server -js', () => {
  it('redelivers to the next sidecar of a durable after ackWait when the first died without answering', { timeout: 30_000 }, async () => {
    const s = await stream();
    const topic = s.topic('orders');
    const md = { durableName: 'orders-app', ackWait: '1s' };
    const first = await adapters.create(md);
    let seen = 0;
    await first.subscribe(sub(topic), () => {
      seen++;
      return new Promise<void>(() => undefined); // never answers: the sidecar "dies" mid-delivery
    });
    await first.publish({ topic, data: event(1), metadata: {} });
    await waitUntil(() => seen === 1);
    await first.close();
    expect((await s.jsm.consumers.info(s.name, 'orders-app')).num_ack_pending).toBe(1);

    const second = await adapters.create(md);
    const got = collector();
    await second.subscribe(sub(topic), got.handler);
    await waitUntil(() => got.messages.length >= 1);
    expect(got.seqs()).toEqual([1]);
    expect(got.messages[0]!.metadata).toEqual({ Topic: topic });
    await waitUntil(() => false, 300);
    expect((await s.jsm.consumers.info(s.name, 'orders-app')).num_ack_pending).toBe(0);
  });

  it('hands messages received but not started back on close, so another sidecar of the group gets them at once', async () => {
    const s = await stream();
    const topic = s.topic('handback');
    const md = { durableName: 'handback', queueGroupName: 'handback', ackWait: '20s' };
    const first = await adapters.create(md);
    let release!: () => void;
    const started: number[] = [];
    const firstSub = await first.subscribe(sub(topic), (m) => {
      started.push(seqOf(m));
      return new Promise<void>((r) => (release = r));
    });
    for (let i = 0; i < 3; i++) await first.publish({ topic, data: event(i), metadata: {} });
    await waitUntil(() => started.length === 1);
    await sleep(200); // 1 and 2 wait behind 0 in the first sidecar
    const second = await adapters.create(md);
    const got = collector();
    await second.subscribe(sub(topic), got.handler);
    const closing = firstSub.close();
    release();
    await closing;
    await waitUntil(() => got.messages.length >= 2, 3000);
    expect(started).toEqual([0]);
    expect(got.seqs()).toEqual([1, 2]);
  });

  it('stops after maxDeliver deliveries of a message the app keeps refusing', async () => {
    const s = await stream();
    const topic = s.topic('refused');
    const ps = await adapters.create({ maxDeliver: '2' });
    let deliveries = 0;
    await ps.subscribe(sub(topic), async () => {
      deliveries++;
      throw new Error('refused');
    });
    await ps.publish({ topic, data: event(1), metadata: {} });
    await waitUntil(() => deliveries >= 2);
    await sleep(800);
    expect(deliveries).toBe(2);
  });

  it('brings a refused message back after ackWait (daprd NAKs with that delay), at once without it', async () => {
    const s = await stream();
    const times = async (metadata: Record<string, string>, topic: string) => {
      const ps = await adapters.create(metadata);
      const at: number[] = [];
      await ps.subscribe(sub(topic), async () => {
        at.push(Date.now());
        if (at.length === 1) throw new Error('not yet');
      });
      await ps.publish({ topic, data: event(1), metadata: {} });
      await waitUntil(() => at.length === 2);
      return at[1]! - at[0]!;
    };
    expect(await times({ ackWait: '1500ms' }, s.topic('delayed'))).toBeGreaterThanOrEqual(1400);
    expect(await times({}, s.topic('immediate'))).toBeLessThan(1000);
  });

  it('resumes a durable where it stopped: messages published while no sidecar ran arrive, earlier ones do not', async () => {
    const s = await stream();
    const topic = s.topic('resume');
    const first = await adapters.create({ durableName: 'resumer' });
    const before = collector();
    await first.subscribe(sub(topic), before.handler);
    await first.publish({ topic, data: event(1), metadata: {} });
    await waitUntil(() => before.messages.length === 1);
    await first.close();

    const publisher = await adapters.create();
    for (const seq of [2, 3]) await publisher.publish({ topic, data: event(seq), metadata: {} });
    const restarted = await adapters.create({ durableName: 'resumer' });
    const after = collector();
    await restarted.subscribe(sub(topic), after.handler);
    await waitUntil(() => after.messages.length >= 2);
    await sleep(200);
    expect(after.seqs()).toEqual([2, 3]);
  });

  it('shares a durable between sidecars only through queueGroupName (competing consumers)', async () => {
    const s = await stream();
    const topic = s.topic('work');
    const md = { durableName: 'app-work', queueGroupName: 'app' };
    const [a, b] = [await adapters.create(md), await adapters.create(md)];
    const [ga, gb] = [collector(), collector()];
    await a.subscribe(sub(topic), ga.handler);
    await b.subscribe(sub(topic), gb.handler);
    for (let i = 0; i < 40; i++) await a.publish({ topic, data: event(i), metadata: {} });
    await waitUntil(() => ga.messages.length + gb.messages.length >= 40);
    await sleep(200);
    expect([...ga.seqs(), ...gb.seqs()].sort((x, y) => x - y)).toEqual([...Array(40).keys()]);
    expect(ga.messages.length).toBeGreaterThan(0);
    expect(gb.messages.length).toBeGreaterThan(0);

    // Without a queue group a bound durable belongs to one subscriber, as daprd's client enforces.
    const solo = { durableName: 'solo' };
    await (await adapters.create(solo)).subscribe(sub(topic), collector().handler);
    await expect((await adapters.create(solo)).subscribe(sub(topic), collector().handler)).rejects.toThrow(/duplicate subscription/);
  });

  it('gives every sidecar every message without durableName (ephemeral consumers, the consumer id plays no part)', async () => {
    const s = await stream();
    const topic = s.topic('broadcast');
    const [a, b] = [await adapters.create(), await adapters.create()];
    const [ga, gb] = [collector(), collector()];
    await a.subscribe({ topic, consumerId: 'same-app', metadata: {} }, ga.handler);
    await b.subscribe({ topic, consumerId: 'same-app', metadata: {} }, gb.handler);
    for (let i = 0; i < 5; i++) await a.publish({ topic, data: event(i), metadata: {} });
    await waitUntil(() => ga.messages.length >= 5 && gb.messages.length >= 5);
    expect(ga.seqs()).toEqual([0, 1, 2, 3, 4]);
    expect(gb.seqs()).toEqual([0, 1, 2, 3, 4]);
  });

  it('with ackPolicy none never redelivers, even a refused message', async () => {
    const s = await stream();
    const topic = s.topic('noack');
    const ps = await adapters.create({ ackPolicy: 'none', ackWait: '1s' });
    let deliveries = 0;
    await ps.subscribe(sub(topic), async () => {
      deliveries++;
      throw new Error('refused');
    });
    await ps.publish({ topic, data: event(1), metadata: {} });
    await waitUntil(() => deliveries === 1);
    await sleep(1800);
    expect(deliveries).toBe(1);
  });

  it('handles one message at a time with concurrency single, several at once with parallel', async () => {
    const s = await stream();
    const peak = async (concurrency: string, topic: string) => {
      const ps = await adapters.create({ concurrency });
      let running = 0;
      let max = 0;
      const done: number[] = [];
      await ps.subscribe(sub(topic), async (m) => {
        max = Math.max(max, ++running);
        await sleep(100);
        running--;
        done.push(seqOf(m));
      });
      for (let i = 0; i < 4; i++) await ps.publish({ topic, data: event(i), metadata: {} });
      await waitUntil(() => done.length === 4);
      return { max, done };
    };
    const single = await peak('single', s.topic('single'));
    expect(single).toEqual({ max: 1, done: [0, 1, 2, 3] });
    expect((await peak('parallel', s.topic('parallel'))).max).toBeGreaterThan(1);
  });

  it('acknowledges in parallel mode only once each handler resolved (daprd acks on receipt there)', async () => {
    const s = await stream();
    const topic = s.topic('held');
    const ps = await adapters.create({ concurrency: 'parallel', durableName: 'held' });
    const release: Array<() => void> = [];
    await ps.subscribe(sub(topic), () => new Promise<void>((r) => release.push(r)));
    for (let i = 0; i < 2; i++) await ps.publish({ topic, data: event(i), metadata: {} });
    await waitUntil(() => release.length === 2);
    const pending = async () => (await s.jsm.consumers.info(s.name, 'held')).num_ack_pending;
    await sleep(200);
    expect(await pending()).toBe(2);
    release.splice(0).forEach((r) => r());
    let left = 2;
    for (let i = 0; i < 25 && left > 0; i++) [left] = await Promise.all([pending(), sleep(40)]);
    expect(left).toBe(0);
  });
});
