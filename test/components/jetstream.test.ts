import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { PubSub } from '../../src/contracts/pubsub.js';
import { jetstreamPubSub } from '../../src/components/pubsub/jetstream/index.js';

const opened: PubSub[] = [];

async function jetstream(extra: Record<string, string> = {}): Promise<PubSub> {
  const checked = validateAdapterMetadata(jetstreamPubSub, { natsURL: inject('natsUrl'), ...extra });
  expect(checked.errors).toEqual([]);
  const ps = (await jetstreamPubSub.load())({ name: 'jetstream', logger: pino({ level: 'silent' }) });
  await ps.init(checked.value);
  opened.push(ps);
  return ps;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (done: () => boolean, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(20);
};

afterAll(async () => {
  for (const p of opened) await p.close().catch(() => undefined);
});

describe('pubsub.jetstream against nats-server -js', () => {
  it('redelivers to another sidecar of the app after ackWait when the first died without answering', { timeout: 30_000 }, async () => {
    const topic = `js-dead-${randomUUID().slice(0, 8)}`;
    const consumerId = `app-${randomUUID().slice(0, 8)}`;
    const first = await jetstream({ ackWait: '1s' });
    let seen = 0;
    await first.subscribe({ topic, consumerId, metadata: {} }, () => {
      seen++;
      return new Promise<void>(() => undefined); // never answers: the sidecar "dies" mid-delivery
    });
    await first.publish({ topic, data: Buffer.from('order'), metadata: { color: 'blue' } });
    await waitFor(() => seen === 1);
    await (first as unknown as { close(): Promise<void> }).close();

    const got: string[] = [];
    const second = await jetstream({ ackWait: '1s' });
    await second.subscribe({ topic, consumerId, metadata: {} }, async (m) => void got.push(`${m.data.toString()} ${m.metadata.color}`));
    await waitFor(() => got.length >= 1);
    expect(got[0]).toBe('order blue'); // at least once: a late duplicate is allowed
  });

  it('stops after maxDeliver deliveries of a message the app keeps refusing', async () => {
    const topic = `js-max-${randomUUID().slice(0, 8)}`;
    const ps = await jetstream({ maxDeliver: '2' });
    let deliveries = 0;
    await ps.subscribe({ topic, consumerId: `app-${randomUUID().slice(0, 8)}`, metadata: {} }, async () => {
      deliveries++;
      throw new Error('refused');
    });
    await ps.publish({ topic, data: Buffer.from('x'), metadata: {} });
    await waitFor(() => deliveries >= 2);
    await sleep(1000);
    expect(deliveries).toBe(2);
  });

  it('puts all topics in one named stream when streamName is set', async () => {
    const stream = `shared-${randomUUID().slice(0, 8)}`;
    const ps = await jetstream({ streamName: stream });
    const [a, b] = [`js-a-${randomUUID().slice(0, 8)}`, `js-b-${randomUUID().slice(0, 8)}`];
    const got: string[] = [];
    for (const t of [a, b]) await ps.subscribe({ topic: t, consumerId: 'same-app', metadata: {} }, async (m) => void got.push(m.topic));
    await ps.publish({ topic: a, data: Buffer.from('1'), metadata: {} });
    await ps.publish({ topic: b, data: Buffer.from('2'), metadata: {} });
    await waitFor(() => got.length >= 2);
    expect(got.sort()).toEqual([a, b].sort());
  });

  it('fails init naming the server when nothing listens', async () => {
    const ps = (await jetstreamPubSub.load())({ name: 'jetstream', logger: pino({ level: 'silent' }) });
    const checked = validateAdapterMetadata(jetstreamPubSub, { natsURL: 'nats://127.0.0.1:1' });
    await expect(ps.init(checked.value)).rejects.toThrow(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/);
  });
});
