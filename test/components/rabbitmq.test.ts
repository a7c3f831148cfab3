import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { PubSubMessage } from '../../src/contracts/pubsub.js';
import { rabbitmqPubSub } from '../../src/components/pubsub/rabbitmq/index.js';
import { adapterPool, sleep, waitUntil } from '../support/adapter-fixtures.js';

const rabbits = adapterPool(rabbitmqPubSub, () => ({ connectionString: inject('amqpUrl'), deletedWhenUnused: 'false' }));
const rabbit = rabbits.open;
/** An instance whose connection runs through a relay the test can cut. */
const rabbitBehindProxy = async (extra: Record<string, string> = {}) => {
  const { adapter, proxy } = await rabbits.behindProxy('connectionString', { reconnectWaitSeconds: '1', ...extra });
  return { ps: adapter, proxy };
};
const ids = () => ({ topic: `rmq-${randomUUID().slice(0, 8)}`, consumerId: `app-${randomUUID().slice(0, 8)}` });

afterAll(rabbits.closeAll);

describe('pubsub.rabbitmq delivery', () => {
  it('sends a refused message to the dead-letter queue when dead-lettering is on (requeueInFailure defaults to false)', async () => {
    const { topic, consumerId } = ids();
    const ps = await rabbit({ enableDeadLetter: 'true' });
    let deliveries = 0;
    await ps.subscribe({ topic, consumerId, metadata: {} }, async () => {
      deliveries++;
      throw new Error('refused');
    });
    await ps.publish({ topic, data: Buffer.from('poison'), metadata: { reason: 'test' } });
    await waitUntil(() => deliveries >= 1);
    await sleep(300);
    expect(deliveries).toBe(1);
    const conn = await connect(inject('amqpUrl'));
    const msg = await (await conn.createChannel()).get(`dlq-${consumerId}-${topic}`, { noAck: true });
    await conn.close();
    expect(msg && `${msg.content.toString()} ${msg.properties.headers?.reason}`).toBe('poison test');
  });

  it('requeues a refused message (always without dead-lettering), and with requeueInFailure even with it', async () => {
    for (const extra of [{}, { enableDeadLetter: 'true', requeueInFailure: 'true' }] as Array<Record<string, string>>) {
      const { topic, consumerId } = ids();
      const ps = await rabbit(extra);
      const seen: string[] = [];
      await ps.subscribe({ topic, consumerId, metadata: {} }, async (m) => {
        seen.push(m.data.toString());
        if (seen.length < 3) throw new Error('not yet');
      });
      await ps.publish({ topic, data: Buffer.from('retry me'), metadata: {} });
      await waitUntil(() => seen.length >= 3);
      expect(seen).toEqual(['retry me', 'retry me', 'retry me']);
    }
  });

  it('gives an unacknowledged message to another sidecar of the group when the first one loses its connection mid-handler', async () => {
    const { topic, consumerId } = ids();
    const { ps: first, proxy } = await rabbitBehindProxy();
    let release!: () => void;
    const hanging = new Promise<void>((r) => (release = r));
    let firstDeliveries = 0;
    await first.subscribe({ topic, consumerId, metadata: {} }, async () => {
      firstDeliveries++;
      await hanging; // the app never answers before the sidecar's connection dies
    });
    const second = await rabbit();
    await first.publish({ topic, data: Buffer.from('order'), metadata: {} });
    await waitUntil(() => firstDeliveries === 1);
    await proxy.close(); // connection gone and cannot come back
    const got: string[] = [];
    await second.subscribe({ topic, consumerId, metadata: {} }, async (m) => void got.push(m.data.toString()));
    await waitUntil(() => got.length >= 1);
    release();
    expect(got).toEqual(['order']);
  });

  it('recovers after the connection drops: subscriptions are consumed again and publishing works again', async () => {
    const { topic, consumerId } = ids();
    const { ps, proxy } = await rabbitBehindProxy();
    const got: PubSubMessage[] = [];
    await ps.subscribe({ topic, consumerId, metadata: {} }, async (m) => void got.push(m));
    await ps.publish({ topic, data: Buffer.from('before'), metadata: {} });
    await waitUntil(() => got.length === 1);
    proxy.cut();
    await sleep(200);
    // The publish waits for the recovered connection instead of failing.
    await ps.publish({ topic, data: Buffer.from('after'), metadata: {} });
    await waitUntil(() => got.some((m) => m.data.toString() === 'after'), 10_000);
    // 'before' comes twice when the cut beat its acknowledgement to the broker: at least once.
    expect([...new Set(got.map((m) => m.data.toString()))]).toEqual(['before', 'after']);
  }, 20_000);

  it('declares its queue again and keeps consuming when the queue is deleted under it', async () => {
    const { topic, consumerId } = ids();
    const ps = await rabbit({ reconnectWaitSeconds: '200ms' });
    const got: string[] = [];
    await ps.subscribe({ topic, consumerId, metadata: {} }, async (m) => void got.push(m.data.toString()));
    const conn = await connect(inject('amqpUrl'));
    await (await conn.createChannel()).deleteQueue(`${consumerId}-${topic}`);
    let consumers = 0;
    for (let i = 0; i < 100 && consumers === 0; i++) {
      await sleep(50);
      // A missing queue closes the channel with an error: each try gets a fresh channel that expects it.
      const probe = await conn.createChannel();
      probe.on('error', () => undefined);
      consumers = await probe.checkQueue(`${consumerId}-${topic}`).then((q) => q.consumerCount, () => 0);
    }
    await conn.close();
    await ps.publish({ topic, data: Buffer.from('still here'), metadata: {} });
    await waitUntil(() => got.length === 1);
    expect(got).toEqual(['still here']);
  });

  it('handles messages one at a time with concurrencyMode single, at once with parallel', async () => {
    for (const [mode, expected] of [['single', 1], ['parallel', 5]] as const) {
      const { topic, consumerId } = ids();
      const ps = await rabbit({ concurrency: mode });
      let active = 0;
      let peak = 0;
      let done = 0;
      await ps.subscribe({ topic, consumerId, metadata: {} }, async () => {
        peak = Math.max(peak, ++active);
        await sleep(100);
        active--;
        done++;
      });
      for (let i = 0; i < 5; i++) await ps.publish({ topic, data: Buffer.from(String(i)), metadata: {} });
      await waitUntil(() => done === 5);
      expect(peak, mode).toBe(expected);
    }
  });

  it('with autoAck a refused message is not delivered again (at most once, as asked)', async () => {
    const { topic, consumerId } = ids();
    const ps = await rabbit({ autoAck: 'true' });
    let deliveries = 0;
    await ps.subscribe({ topic, consumerId, metadata: {} }, async () => {
      deliveries++;
      throw new Error('refused');
    });
    await ps.publish({ topic, data: Buffer.from('once'), metadata: {} });
    await waitUntil(() => deliveries >= 1);
    await sleep(500);
    expect(deliveries).toBe(1);
  });
});
