import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { PubSub, PubSubMessage } from '../../src/contracts/pubsub.js';
import { redisPubSub } from '../../src/components/pubsub/redis/index.js';

const run = randomUUID().slice(0, 8);
const topic = (name: string) => `wire-${run}-${name}`;
let redis: Redis;
const created: PubSub[] = [];

async function adapter(metadata: Record<string, string> = {}): Promise<PubSub> {
  const checked = validateAdapterMetadata(redisPubSub, { redisHost: inject('redisAddress'), ...metadata });
  expect(checked.errors).toEqual([]);
  const p = (await redisPubSub.load())({ name: 'wire', logger: pino({ level: 'silent' }) });
  await p.init(checked.value);
  created.push(p);
  return p;
}

async function until(done: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

beforeAll(async () => {
  const [host, port] = inject('redisAddress').split(':');
  redis = new Redis({ host, port: Number(port), lazyConnect: true });
  await redis.connect();
});

afterAll(async () => {
  for (const p of created) await p.close();
  await redis.quit();
});

describe('pubsub.redis wire format (daprd compatible)', () => {
  it('writes XADD fields data and, only when there is metadata, metadata as JSON', async () => {
    const ps = await adapter();
    await ps.publish({ topic: topic('fields'), data: Buffer.from('{"a":1}'), metadata: {} });
    await ps.publish({ topic: topic('fields'), data: Buffer.from('x'), metadata: { partitionKey: 'k' } });
    const entries = await redis.xrange(topic('fields'), '-', '+');
    expect(entries.map(([, fields]) => fields)).toEqual([['data', '{"a":1}'], ['data', 'x', 'metadata', '{"partitionKey":"k"}']]);
  });

  it('consumes with group and consumer both named by consumerId, and reads entries another sidecar wrote', async () => {
    const ps = await adapter();
    const got: PubSubMessage[] = [];
    const sub = await ps.subscribe({ topic: topic('group'), consumerId: `app-${run}`, metadata: {} }, async (m) => void got.push(m));
    await redis.xadd(topic('group'), '*', 'data', 'from daprd', 'metadata', '{"traceparent":"tp"}');
    await until(() => got.length === 1);
    await sub.close();
    expect(got[0]).toMatchObject({ topic: topic('group'), data: Buffer.from('from daprd'), metadata: { traceparent: 'tp' } });
    const groups = (await redis.xinfo('GROUPS', topic('group'))) as unknown[][];
    expect(groups.map((g) => g[1])).toEqual([`app-${run}`]);
    const consumers = (await redis.xinfo('CONSUMERS', topic('group'), `app-${run}`)) as unknown[][];
    expect(consumers.map((c) => c[1])).toEqual([`app-${run}`]);
    expect(await redis.xpending(topic('group'), `app-${run}`)).toEqual([0, null, null, null]);
  });

  it('acknowledges handled entries while the subscription runs, and leaves a rejected one pending', async () => {
    const ps = await adapter({ processingTimeout: '0' });
    const group = `acks-${run}`;
    const handled: string[] = [];
    await ps.subscribe({ topic: topic('acks'), consumerId: group, metadata: {} }, async (m) => {
      if (m.data.toString() === 'reject') throw new Error('rejected');
      handled.push(m.data.toString());
    });
    for (let i = 0; i < 40; i++) await ps.publish({ topic: topic('acks'), data: Buffer.from(i === 7 ? 'reject' : String(i)), metadata: {} });
    await until(() => handled.length === 39);
    let pending = -1;
    for (let i = 0; i < 100 && pending !== 1; i++) {
      await new Promise((r) => setTimeout(r, 20));
      pending = ((await redis.xpending(topic('acks'), group)) as [number])[0];
    }
    expect(handled).toHaveLength(39);
    expect(pending).toBe(1);
  });

  it('trims streams to about maxLenApprox entries', async () => {
    const ps = await adapter({ maxLenApprox: '10' });
    for (let i = 0; i < 300; i++) await ps.publish({ topic: topic('trim'), data: Buffer.from(String(i)), metadata: {} });
    expect(await redis.xlen(topic('trim'))).toBeLessThan(200);
  });

  it('accepts durations as Go strings or plain milliseconds, and refuses anything else', () => {
    for (const v of ['30s', '1m30s', '1500', '0']) expect(validateAdapterMetadata(redisPubSub, { redisHost: 'h:1', processingTimeout: v, redeliverInterval: v }).errors).toEqual([]);
    const bad = validateAdapterMetadata(redisPubSub, { redisHost: 'h:1', processingTimeout: 'soon' });
    expect(bad.errors).toEqual([expect.objectContaining({ field: expect.stringContaining('processingTimeout') })]);
  });
});
