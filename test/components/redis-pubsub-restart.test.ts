import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import { redisPubSub } from '../../src/components/pubsub/redis/index.js';
import type { PubSub } from '../../src/contracts/pubsub.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { freePort, LOOPBACK } from '../support/server-process.js';

// A private redis-server (no persistence) that these tests stop and start again empty on the same port.
let port = 0;
let redis: RedisServer | undefined;
const created: PubSub[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function adapter(): Promise<PubSub> {
  const checked = validateAdapterMetadata(redisPubSub, { redisHost: `${LOOPBACK}:${port}` });
  expect(checked.errors).toEqual([]);
  const p = (await redisPubSub.load())({ name: 'restart', logger: pino({ level: 'silent' }) });
  await p.init(checked.value);
  created.push(p);
  return p;
}

/** A new adapter subscribed to `topic`, and the payloads it delivers as text, in order. */
async function subscribedAdapter(topic: string, consumerId: string): Promise<{ ps: PubSub; received: string[] }> {
  const ps = await adapter();
  const received: string[] = [];
  await ps.subscribe({ topic, consumerId, metadata: {} }, async (m) => void received.push(m.data.toString()));
  return { ps, received };
}

/** A plain client of the test's Redis, for what the adapter must not be told about. */
async function withRawClient<T>(use: (raw: Redis) => Promise<T>): Promise<T> {
  const raw = new Redis({ host: LOOPBACK, port, lazyConnect: true });
  await raw.connect();
  try {
    return await use(raw);
  } finally {
    raw.disconnect();
  }
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(25);
}

async function restartEmpty(downMs: number): Promise<void> {
  await redis!.stop();
  await sleep(downMs);
  redis = await startRedisServer(port);
}

beforeAll(async () => {
  port = await freePort();
  redis = await startRedisServer(port);
});

afterAll(async () => {
  for (const p of created) await p.close();
  await redis?.stop();
});

describe('pubsub.redis across a Redis restart without persistence', () => {
  it('delivers every message published after Redis came back empty: the consumer group is made again from the start of the new stream', async () => {
    const ps = await adapter();
    const topic = 'restart-orders';
    const received = new Set<number>();
    await ps.subscribe({ topic, consumerId: 'restart-app', metadata: {} }, async (m) => void received.add(Number(m.data.toString())));

    let phase = 'before' as 'before' | 'outage' | 'after';
    const publishedAfter: number[] = [];
    let publishing = true;
    // One publish every ~5 ms through the whole restart, as an app would keep publishing (bounded in count).
    const publisher = (async () => {
      for (let seq = 0; publishing && seq < 4000; seq++) {
        const startedIn = phase;
        const ok = await ps.publish({ topic, data: Buffer.from(String(seq)), metadata: {} }).then(() => true, () => false);
        if (ok && startedIn === 'after') publishedAfter.push(seq);
        await sleep(5);
      }
    })();

    await sleep(500);
    phase = 'outage';
    await restartEmpty(1000);
    phase = 'after';
    await sleep(1500);
    publishing = false;
    await publisher;

    expect(publishedAfter.length).toBeGreaterThan(20);
    await until(() => publishedAfter.every((seq) => received.has(seq)), 15_000);
    expect(publishedAfter.filter((seq) => !received.has(seq))).toEqual([]);
  }, 60_000);

  it('reads entries added to a stream whose group vanished before the group was made again', async () => {
    const topic = 'restart-vanished';
    const { ps, received } = await subscribedAdapter(topic, 'vanished-app');
    await ps.publish({ topic, data: Buffer.from('first'), metadata: {} });
    await until(() => received.length === 1, 5000);
    // What an empty restart leaves, made atomic: the stream and its group gone, then a new entry before the
    // consumer can make its group again (its blocked read ends with NOGROUP only after this step).
    await withRawClient((raw) => raw.multi().del(topic).xadd(topic, '*', 'data', 'second').exec());
    await until(() => received.length === 2, 5000);
    expect(received).toEqual(['first', 'second']);
  }, 30_000);

  it('reconnects a reader whose connection alone was closed, and reads on', async () => {
    const topic = 'restart-killed-reader';
    const { ps, received } = await subscribedAdapter(topic, 'killed-app');
    await withRawClient(async (raw) => {
      const list = (await raw.client('LIST')) as string;
      const readers = list.split('\n').filter((line) => line.includes('cmd=xreadgroup'));
      const ids = readers.map((line) => /\bid=(\d+)/.exec(line)![1]);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) await raw.client('KILL', 'ID', id);
    });
    await ps.publish({ topic, data: Buffer.from('after the kill'), metadata: {} });
    await until(() => received.length === 1, 5000);
    expect(received).toEqual(['after the kill']);
  }, 30_000);

  it('adds no client listener per publish waiting out an outage', async () => {
    const ps = await adapter();
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      await redis!.stop();
      await sleep(200);
      // More concurrent publishes than an EventEmitter's default limit of 10 listeners.
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => ps.publish({ topic: 'restart-burst', data: Buffer.from(String(i)), metadata: {} })));
      expect(results.filter((r) => r.status === 'fulfilled')).toEqual([]);
      redis = await startRedisServer(port);
      let back = false;
      for (let i = 0; i < 50 && !back; i++) back = await ps.publish({ topic: 'restart-burst', data: Buffer.from('back'), metadata: {} }).then(() => true, () => sleep(100).then(() => false));
      expect(back).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
  }, 30_000);
});
