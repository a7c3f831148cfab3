import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { component, resourcesDir } from '../support/resources.js';
import { killMidStreamAndRestart, publish, seqsAccepted, sleep, subscriberFleet, waitFor } from './pubsub-support.js';

const run = randomUUID().slice(0, 8);
const topic = (name: string) => `e2e-${run}-${name}`;
const cwd = mkdtempSync(join(tmpdir(), 'mecha-pubsub-redis-'));
let resources: string;
const { subscriber, stopAll } = subscriberFleet(cwd, () => resources);

beforeAll(() => {
  const [host, port] = inject('redisAddress').split(':');
  resources = resourcesDir({
    'pubsub.yaml': component('pubsub', 'pubsub.redis', {
      redisHost: `${host}:${port}`,
      processingTimeout: '1s',
      redeliverInterval: '200',
      queueDepth: '4',
      concurrency: '1',
    }),
  });
});

afterAll(stopAll);

describe('pub/sub end to end (Redis Streams)', () => {
  it('shares one app-id between replicas and gives every app-id each message', async () => {
    const subs = [{ pubsubname: 'pubsub', topic: topic('jobs'), route: '/jobs' }];
    const slow = { '/jobs': { delayMs: 20 } };
    const [w1, w2, audit] = await Promise.all([subscriber('workers', subs, slow), subscriber('workers', subs, slow), subscriber('audit', subs)]);
    const N = 30;
    for (let seq = 0; seq < N; seq++) {
      expect((await publish(w1.mecha.url, 'pubsub', topic('jobs'), JSON.stringify({ seq }), 'application/json')).status).toBe(204);
      await sleep(5);
    }
    const all = () => Promise.all([w1.app.received(), w2.app.received(), audit.app.received()]);
    const [r1, r2, ra] = await waitFor(all, ([a, b, c]) => new Set([...seqsAccepted(a, '/jobs'), ...seqsAccepted(b, '/jobs')]).size === N && new Set(seqsAccepted(c, '/jobs')).size === N);
    const [s1, s2] = [seqsAccepted(r1, '/jobs'), seqsAccepted(r2, '/jobs')];
    expect(new Set([...s1, ...s2]).size).toBe(N);
    expect(s1.length, 'both replicas take work').toBeGreaterThan(0);
    expect(s2.length, 'both replicas take work').toBeGreaterThan(0);
    expect(s1.length + s2.length, 'each message goes to one replica').toBe(N);
    expect(new Set(seqsAccepted(ra, '/jobs')).size).toBe(N);
    await Promise.all([w1.mecha.stop(), w2.mecha.stop(), audit.mecha.stop()]);
  }, 40_000);

  it('loses nothing when the sidecar is killed mid-stream: unacknowledged messages come back after a restart', async (ctx) => {
    const { redelivered, summary } = await killMidStreamAndRestart(subscriber, { appId: 'survivor', topic: topic('stream'), messages: 60, killAfter: 15, arrivalTimeoutMs: 20_000 });
    expect(redelivered, 'only messages in flight at the kill come twice').toBeLessThanOrEqual(5);
    ctx.annotate(summary);
  }, 40_000);

  it('drops events whose TTL passed before delivery, to the dead-letter topic', async () => {
    const publisher = await subscriber('ttl-publisher', []);
    const published = Date.now();
    await publish(publisher.mecha.url, 'pubsub', topic('ttl'), '{"seq":1}', 'application/json', '?metadata.ttlInSeconds=1');
    await publish(publisher.mecha.url, 'pubsub', topic('ttl'), '{"seq":2}', 'application/json', '?metadata.ttlInSeconds=600');
    await publisher.mecha.stop();
    await sleep(Math.max(0, 1100 - (Date.now() - published)));
    const subs = [
      { pubsubname: 'pubsub', topic: topic('ttl'), route: '/ttl', deadLetterTopic: topic('ttl-dead') },
      // Raw, so the expired event reaches the app instead of being dropped again on the dead-letter topic.
      { pubsubname: 'pubsub', topic: topic('ttl-dead'), route: '/ttl-dead', metadata: { rawPayload: 'true' } },
    ];
    const { app, mecha } = await subscriber('ttl-consumer', subs);
    const ds = await waitFor(() => app.received(), (d) => d.length >= 2);
    expect(ds.filter((d) => d.path === '/ttl').map((d) => JSON.parse(d.body).data)).toEqual([{ seq: 2 }]);
    const [dead] = ds.filter((d) => d.path === '/ttl-dead').map((d) => JSON.parse(d.body));
    expect(JSON.parse(Buffer.from(dead.data_base64, 'base64').toString())).toMatchObject({ data: { seq: 1 }, expiration: expect.any(String) });
    await mecha.stop();
  });

  it('reports broker failures as ERR_PUBSUB_PUBLISH_MESSAGE, per entry for a bulk publish', async () => {
    const [host, port] = inject('redisAddress').split(':');
    const redis = new Redis({ host, port: Number(port), lazyConnect: true });
    await redis.connect();
    await redis.set(topic('not-a-stream'), 'plain string');
    await redis.quit();
    const { mecha } = await subscriber('publisher', []);
    const single = await publish(mecha.url, 'pubsub', topic('not-a-stream'), '{}', 'application/json');
    expect(single.status).toBe(500);
    expect(single.body.errorCode).toBe('ERR_PUBSUB_PUBLISH_MESSAGE');
    expect(single.body.message).toContain('WRONGTYPE');
    const res = await fetch(`${mecha.url}/v1.0-alpha1/publish/bulk/pubsub/${topic('not-a-stream')}`, {
      method: 'POST',
      body: JSON.stringify([{ entryId: 'e1', event: 'x', contentType: 'text/plain' }, { entryId: 'e2', event: 'y', contentType: 'text/plain' }]),
    });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { errorCode: string; failedEntries: Array<{ entryId: string; error: string }> };
    expect(body.errorCode).toBe('ERR_PUBSUB_PUBLISH_MESSAGE');
    expect(body.failedEntries.map((e) => e.entryId).sort()).toEqual(['e1', 'e2']);
    await mecha.stop();
  });

  it('measures publish-to-delivery latency', async (ctx) => {
    const subs = [{ pubsubname: 'pubsub', topic: topic('latency'), route: '/latency' }];
    const { app, mecha } = await subscriber('timing', subs);
    const sent: number[] = [];
    for (let seq = 0; seq < 50; seq++) {
      sent.push(Date.now());
      await publish(mecha.url, 'pubsub', topic('latency'), JSON.stringify({ seq }), 'application/json');
      await sleep(10);
    }
    const ds = await waitFor(() => app.received(), (d) => d.length >= 50);
    const latencies = ds.map((d) => d.at - sent[JSON.parse(d.body).data.seq]).sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)];
    const p95 = latencies[Math.floor(latencies.length * 0.95)];
    ctx.annotate(`publish→deliver over Redis Streams: p50 ${p50} ms, p95 ${p95} ms (50 messages)`);
    expect(p50).toBeLessThan(500);
    await mecha.stop();
  });
});
