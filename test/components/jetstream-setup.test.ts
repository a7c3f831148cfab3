import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import { jetstreamPubSub } from '../../src/components/pubsub/jetstream/index.js';
import { startNatsServer } from '../support/nats-server.js';
import { collector, event, initialise, natsUrl, pubsubFactory, sleep, streamPool, waitUntil } from './jetstream-fixtures.js';

const adapters = pubsubFactory();
const { stream, closeAll: deleteStreams } = streamPool();
afterEach(() => adapters.closeAll());
afterAll(deleteStreams);

const sub = (topic: string) => ({ topic, consumerId: 'app', metadata: {} });

describe('pubsub.jetstream streams and consumers', () => {
  it('creates no stream: publish and subscribe fail naming the subject no stream captures', async () => {
    const ps = await adapters.create();
    const topic = `nostream.${randomUUID().slice(0, 8)}`;
    await expect(ps.publish({ topic, data: event(1), metadata: {} })).rejects.toThrow(`no JetStream stream captures the subject "${topic}"`);
    await expect(ps.subscribe(sub(topic), collector().handler)).rejects.toThrow(`no JetStream stream captures the subject "${topic}"`);
  });

  it('creates consumers on streamName when given, and names a missing one', async () => {
    const s = await stream();
    const topic = s.topic('named');
    const ps = await adapters.create({ streamName: s.name, durableName: 'on-named' });
    const got = collector();
    await ps.subscribe(sub(topic), got.handler);
    await ps.publish({ topic, data: event(1), metadata: {} });
    await waitUntil(() => got.messages.length === 1);
    expect((await s.jsm.consumers.info(s.name, 'on-named')).config.filter_subject).toBe(topic);

    const wrong = await adapters.create({ streamName: 'no-such-stream' });
    await expect(wrong.subscribe(sub(topic), collector().handler)).rejects.toThrow(/on stream "no-such-stream": .*stream not found/);
  });

  it('refuses a durable that exists for another topic or with other settings, as daprd does', async () => {
    const s = await stream();
    const ps = await adapters.create({ durableName: 'one', ackWait: '10s', maxDeliver: '3' });
    await ps.subscribe(sub(s.topic('a')), collector().handler);
    await expect(ps.subscribe(sub(s.topic('b')), collector().handler)).rejects.toThrow(/subject does not match consumer/);

    const changed = await adapters.create({ durableName: 'one', ackWait: '20s' });
    await expect(changed.subscribe(sub(s.topic('a')), collector().handler)).rejects.toThrow('ackWait is "20s" in the metadata but "10s" on the server');
  });

  it('passes the consumer settings to the server: backOff, maxDeliver, maxAckPending, rateLimit, deliverPolicy', async () => {
    const s = await stream();
    const ps = await adapters.create({ durableName: 'tuned', backOff: '50ms, 1s,10', maxDeliver: '5', maxAckPending: '7', rateLimit: '1000000', deliverPolicy: 'new' });
    await ps.subscribe(sub(s.topic('tuned')), collector().handler);
    const { config } = await s.jsm.consumers.info(s.name, 'tuned');
    expect(config.backoff).toEqual([50e6, 1e9, 10e9]);
    expect(config).toMatchObject({ max_deliver: 5, max_ack_pending: 7, rate_limit_bps: 1000000, deliver_policy: 'new', ack_policy: 'explicit' });
  });

  it('starts a new consumer where deliverPolicy says: new, sequence with startSequence, last', async () => {
    const s = await stream();
    const topic = s.topic('history');
    const publisher = await adapters.create();
    for (const seq of [1, 2, 3]) await publisher.publish({ topic, data: event(seq), metadata: {} });
    const from = async (metadata: Record<string, string>) => {
      const got = collector();
      await (await adapters.create(metadata)).subscribe(sub(topic), got.handler);
      return got;
    };
    const [fresh, fromTwo, last] = [await from({ deliverPolicy: 'new' }), await from({ deliverPolicy: 'sequence', startSequence: '2' }), await from({ deliverPolicy: 'last' })];
    await publisher.publish({ topic, data: event(4), metadata: {} });
    await waitUntil(() => fresh.messages.length >= 1 && fromTwo.messages.length >= 3 && last.messages.length >= 2);
    await sleep(100);
    expect(fresh.seqs()).toEqual([4]);
    expect(fromTwo.seqs()).toEqual([2, 3, 4]);
    expect(last.seqs()).toEqual([3, 4]);
  });

  it('sends the CloudEvent id as Nats-Msg-Id, so the stream keeps one copy of a republished event', async () => {
    const s = await stream();
    const topic = s.topic('dedup');
    const ps = await adapters.create();
    const cloudEvent = Buffer.from(JSON.stringify({ id: randomUUID(), specversion: '1.0', type: 't', source: 's', data: 1 }));
    await ps.publish({ topic, data: cloudEvent, contentType: 'application/cloudevents+json', metadata: { color: 'blue' } });
    await ps.publish({ topic, data: cloudEvent, contentType: 'application/cloudevents+json', metadata: { color: 'blue' } });
    for (let i = 0; i < 2; i++) await ps.publish({ topic, data: Buffer.from('raw bytes'), metadata: {} });
    expect((await s.jsm.streams.info(s.name)).state.messages).toBe(3);
    const stored = await s.jsm.streams.getMessage(s.name, { seq: 1 });
    expect(stored.header.get('Nats-Msg-Id')).toBe(JSON.parse(cloudEvent.toString()).id);
    expect(stored.header.get('color')).toBe(''); // daprd puts no publish metadata on the wire
  });

  it('delivers with flowControl and heartbeat (daprd conformance settings), and refuses them with a queue group', async () => {
    const s = await stream();
    const topic = s.topic('fc');
    const ps = await adapters.create({ flowControl: 'true', heartbeat: '1s' });
    const got = collector();
    await ps.subscribe(sub(topic), got.handler);
    for (let i = 0; i < 3; i++) await ps.publish({ topic, data: event(i), metadata: {} });
    await waitUntil(() => got.messages.length === 3);
    expect(got.seqs()).toEqual([0, 1, 2]);

    const grouped = await adapters.create({ durableName: 'g', queueGroupName: 'g', heartbeat: '1s' });
    await expect(grouped.subscribe(sub(topic), collector().handler)).rejects.toThrow('queueGroupName cannot be combined with heartbeat or flowControl');
  });
});

describe('pubsub.jetstream connection settings', () => {
  it('refuses metadata daprd refuses, naming the field', async () => {
    expect(validateAdapterMetadata(jetstreamPubSub, { natsURL: natsUrl(), deliverPolicy: 'oldest' }).errors[0]?.field).toBe('spec.metadata.deliverPolicy');
    await expect(initialise({ natsURL: natsUrl(), jwt: 'eyJ' })).rejects.toThrow('metadata seedKey is required with jwt');
    await expect(initialise({ natsURL: natsUrl(), tls_client_key: '/k.pem' })).rejects.toThrow('metadata tls_client_cert is required with tls_client_key');
    await expect(initialise({ natsURL: natsUrl(), backOff: '1s, soon' })).rejects.toThrow('metadata backOff: "soon" is not a duration');
    await expect(initialise({ natsURL: 'nats://127.0.0.1:1' })).rejects.toThrow(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/);
    await expect(initialise({ natsURL: natsUrl(), domain: 'nowhere' })).rejects.toThrow(/JetStream does not answer on .* \(domain nowhere\)/);
    await expect(initialise({ natsURL: natsUrl(), tls_client_cert: '/no/such/cert.pem', tls_client_key: '/no/such/key.pem' })).rejects.toThrow('metadata tls_client_cert: cannot read /no/such/cert.pem');
    const readable = new URL(import.meta.url).pathname; // any readable file: the server refuses before the handshake
    await expect(initialise({ natsURL: natsUrl(), tls_client_cert: readable, tls_client_key: readable })).rejects.toThrow('the server does not offer TLS, which tls_client_cert needs');
  });

  it('authenticates with a token', { timeout: 30_000 }, async () => {
    const token = `t-${randomUUID()}`;
    const server = await startNatsServer({ args: ['--auth', token], auth: { token } });
    try {
      await expect(initialise({ natsURL: server.url })).rejects.toThrow(/cannot connect to NATS.*(Authorization|AUTHORIZATION)/i);
      const ps = await initialise({ natsURL: server.url, token, name: 'token-client' });
      await ps.close();
    } finally {
      await server.stop();
    }
  });
});
