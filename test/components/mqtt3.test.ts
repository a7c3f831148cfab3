import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { PubSubMessage } from '../../src/contracts/pubsub.js';
import { mqtt3PubSub } from '../../src/components/pubsub/mqtt3/index.js';
import { adapterPool, initAdapter, waitUntil } from '../support/adapter-fixtures.js';

const brokers = adapterPool(mqtt3PubSub, () => ({ url: inject('mqttUrl') }));
const broker = brokers.open;

afterAll(brokers.closeAll);

describe('pubsub.mqtt3 against Mosquitto', () => {
  it('keeps the session of a consumer id: messages published while its sidecar was down arrive after a restart', async () => {
    const topic = `mqtt-session-${randomUUID().slice(0, 8)}`;
    const consumerId = `app-${randomUUID().slice(0, 8)}`;
    const first = await broker();
    const sub = await first.subscribe({ topic, consumerId, metadata: {} }, async () => undefined);
    await sub.close();
    await first.close();

    const publisher = await broker();
    for (let i = 0; i < 3; i++) await publisher.publish({ topic, data: Buffer.from(`m${i}`), metadata: {} });

    const received: PubSubMessage[] = [];
    const restarted = await broker();
    await restarted.subscribe({ topic, consumerId, metadata: {} }, async (m) => void received.push(m));
    await waitUntil(() => received.length >= 3);
    expect(received.map((m) => m.data.toString())).toEqual(['m0', 'm1', 'm2']);
  });

  it('publishes retained messages on request and reports the retained flag on delivery', async () => {
    const topic = `mqtt-retain-${randomUUID().slice(0, 8)}`;
    const ps = await broker();
    await ps.publish({ topic, data: Buffer.from('last known'), metadata: { retain: 'true' } });
    const received: PubSubMessage[] = [];
    const late = await broker({ cleanSession: 'true' });
    await late.subscribe({ topic, consumerId: `late-${randomUUID().slice(0, 8)}`, metadata: {} }, async (m) => void received.push(m));
    await waitUntil(() => received.length >= 1);
    expect(received[0]?.data.toString()).toBe('last known');
    expect(received[0]?.metadata.retained).toBe('true');
  });

  it('fails init with the broker address when nothing listens, and refuses a URL without a scheme', async () => {
    await expect(initAdapter(mqtt3PubSub, { url: 'tcp://127.0.0.1:1' })).rejects.toThrow(/cannot connect to the MQTT broker at 127\.0\.0\.1:1/);
    expect(validateAdapterMetadata(mqtt3PubSub, { url: '127.0.0.1:1883' }).errors[0]?.field).toMatch(/url/);
  });
});
