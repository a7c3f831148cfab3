import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { mqtt3PubSub } from '../../src/components/pubsub/mqtt3/index.js';
import { adapterPool, sleep, waitUntil } from '../support/adapter-fixtures.js';

const brokers = adapterPool(mqtt3PubSub, () => ({ url: inject('mqttUrl') }));
const broker = brokers.open;
/** An instance whose connections run through a relay the test can cut. */
const brokerBehindProxy = async (extra: Record<string, string> = {}) => {
  const { adapter, proxy } = await brokers.behindProxy('url', extra);
  return { ps: adapter, proxy };
};
const ids = () => ({ topic: `mqtt-${randomUUID().slice(0, 8)}`, consumerId: `app-${randomUUID().slice(0, 8)}` });

afterAll(brokers.closeAll);

describe('pubsub.mqtt3 delivery against Mosquitto', () => {
  it('redelivers a message to the next sidecar of the consumer id when the first lost its connection mid-handler', async () => {
    const { topic, consumerId } = ids();
    const { ps: first, proxy } = await brokerBehindProxy();
    let release!: () => void;
    const hanging = new Promise<void>((r) => (release = r));
    let firstDeliveries = 0;
    await first.subscribe({ topic, consumerId, metadata: {} }, async () => {
      firstDeliveries++;
      await hanging; // the app never answers before the sidecar's connection dies
    });
    const publisher = await broker();
    await publisher.publish({ topic, data: Buffer.from('order'), metadata: {} });
    await waitUntil(() => firstDeliveries === 1);
    await proxy.close();
    const got: string[] = [];
    const second = await broker();
    await second.subscribe({ topic, consumerId, metadata: {} }, async (m) => void got.push(m.data.toString()));
    await waitUntil(() => got.length >= 1);
    release();
    expect(got).toEqual(['order']);
  });

  it('reconnects by itself after the connection drops, and gets what was published meanwhile', async () => {
    const { topic, consumerId } = ids();
    const { ps, proxy } = await brokerBehindProxy();
    const got: string[] = [];
    await ps.subscribe({ topic, consumerId, metadata: {} }, async (m) => void got.push(m.data.toString()));
    const publisher = await broker();
    await publisher.publish({ topic, data: Buffer.from('before'), metadata: {} });
    await waitUntil(() => got.length === 1);
    proxy.cut();
    await publisher.publish({ topic, data: Buffer.from('during'), metadata: {} });
    await waitUntil(() => got.includes('during'), 10_000);
    // 'before' comes twice when the cut beat its PUBACK to the broker: at least once.
    expect([...new Set(got)]).toEqual(['before', 'during']);
  }, 15_000);

  it('with cleanSession a refused message cannot come back: it is dropped and the next ones still flow', async () => {
    const { topic, consumerId } = ids();
    const ps = await broker({ cleanSession: 'true' });
    const seen: string[] = [];
    await ps.subscribe({ topic, consumerId, metadata: {} }, async (m) => {
      seen.push(m.data.toString());
      if (m.data.toString() === 'bad') throw new Error('refused');
    });
    for (const d of ['bad', 'good']) await ps.publish({ topic, data: Buffer.from(d), metadata: {} });
    await waitUntil(() => seen.includes('good'));
    await sleep(300);
    expect(seen).toEqual(['bad', 'good']);
  });

  it('unsubscribes on close when asked (unsubscribeOnClose): nothing is kept for the consumer id', async () => {
    const { topic, consumerId } = ids();
    const first = await broker();
    const sub = await first.subscribe({ topic, consumerId, metadata: { unsubscribeOnClose: 'true' } }, async () => undefined);
    await sub.close();
    await first.publish({ topic, data: Buffer.from('nobody listens'), metadata: {} });
    const got: string[] = [];
    const again = await broker();
    await again.subscribe({ topic, consumerId, metadata: {} }, async (m) => void got.push(m.data.toString()));
    await first.publish({ topic, data: Buffer.from('after'), metadata: {} });
    await waitUntil(() => got.length >= 1);
    await sleep(200);
    expect(got).toEqual(['after']);
  });

  it('shares messages between consumer ids subscribed to the same $share group', async () => {
    const topic = `mqtt-${randomUUID().slice(0, 8)}`;
    const [a, b] = [await broker(), await broker()];
    const [gotA, gotB]: [string[], string[]] = [[], []];
    await a.subscribe({ topic: `$share/workers/${topic}`, consumerId: `w1-${topic}`, metadata: {} }, async (m) => void gotA.push(m.data.toString()));
    await b.subscribe({ topic: `$share/workers/${topic}`, consumerId: `w2-${topic}`, metadata: {} }, async (m) => void gotB.push(m.data.toString()));
    for (let i = 0; i < 10; i++) await a.publish({ topic, data: Buffer.from(String(i)), metadata: {} });
    await waitUntil(() => gotA.length + gotB.length >= 10);
    await sleep(200);
    expect([...gotA, ...gotB].map(Number).sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
    expect(gotA.length).toBeGreaterThan(0);
    expect(gotB.length).toBeGreaterThan(0);
  });

  it('refuses metadata that is not a boolean, naming it', async () => {
    const ps = await broker();
    await expect(ps.publish({ topic: 'x', data: Buffer.from('x'), metadata: { retain: 'maybe' } })).rejects.toThrow(/publish metadata retain: "maybe"/);
    await expect(ps.subscribe({ topic: 'x', consumerId: 'y', metadata: { unsubscribeOnClose: 'sure' } }, async () => undefined)).rejects.toThrow(/unsubscribeOnClose: "sure"/);
  });
});
