import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redisState } from '../../src/components/state/redis/index.js';
import { ETagError, type BulkGetStateStore, type SetRequest, type TransactionalStateStore } from '../../src/contracts/state.js';

const [redisHost, redisPort] = inject('redisAddress').split(':');
const server = { host: redisHost, port: Number(redisPort) };
let store: TransactionalStateStore & BulkGetStateStore;
let raw: Redis;
const prefix = `mecha-test-${randomUUID()}||`;
const key = (name: string) => `${prefix}${name}`;

/** What the core hands an adapter: schema defaults filled in, then the component's own values. */
function metadata(extra: Record<string, unknown>): Record<string, unknown> {
  const md: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(redisState.metadata.properties)) {
    if (prop.default !== undefined) md[name] = prop.default;
  }
  return { ...md, ...extra };
}

async function createStore(extra: Record<string, unknown>) {
  const create = await redisState.load();
  const s = create({ name: 'r', logger: pino({ level: 'silent' }) });
  await s.init(metadata({ redisHost: `${server.host}:${server.port}`, ...extra }));
  return s as typeof store;
}

function setReq(k: string, value: string, extra: Partial<SetRequest> = {}): SetRequest {
  return { key: key(k), value: { data: Buffer.from(value), binary: false }, metadata: {}, ...extra };
}

beforeAll(async () => {
  raw = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  await raw.connect();
  store = await createStore({});
}, 330_000);

afterAll(async () => {
  await store?.close();
  await store?.close(); // idempotent
  raw?.disconnect();
});

describe('state.redis storage format', () => {
  it('stores a hash of data and an incrementing version, as daprd does', async () => {
    await store.set(setReq('fmt', '"one"'));
    expect(await raw.hgetall(key('fmt'))).toEqual({ data: '"one"', version: '1' });
    await store.set(setReq('fmt', '"two"', { etag: '1' }));
    expect(await raw.hgetall(key('fmt'))).toEqual({ data: '"two"', version: '2' });
    const item = await store.get({ key: key('fmt'), metadata: {} });
    expect(item?.data.toString()).toBe('"two"');
    expect(item?.etag).toBe('2');
    expect(item?.metadata).toBeUndefined();
  });

  it('keeps raw bytes as given', async () => {
    const bytes = Buffer.from([0, 255, 10, 13, 128]);
    await store.set({ key: key('bin'), value: { data: bytes, binary: true }, metadata: {} });
    expect(await raw.hgetBuffer(key('bin'), 'data')).toEqual(bytes);
    expect((await store.get({ key: key('bin'), metadata: {} }))?.data).toEqual(bytes);
  });

  it('marks first-write saves and then refuses writes without the ETag', async () => {
    await store.set(setReq('fw', '1', { concurrency: 'first-write' }));
    expect(await raw.hgetall(key('fw'))).toEqual({ data: '1', version: '1', 'first-write': '0' });
    const refused = store.set(setReq('fw', '2', { concurrency: 'first-write' }));
    await expect(refused).rejects.toThrow(/failed to set key/);
    await expect(refused).rejects.not.toBeInstanceOf(ETagError);
    await store.set(setReq('fw', '3', { concurrency: 'first-write', etag: '1' }));
    expect(await raw.hget(key('fw'), 'version')).toBe('2');
  });

  it('reads legacy plain-string keys and replaces them on write', async () => {
    await raw.set(key('legacy'), '"old"');
    expect(await store.get({ key: key('legacy'), metadata: {} })).toEqual({ data: Buffer.from('"old"') });
    const [legacy, missing] = await store.bulkGet([{ key: key('legacy'), metadata: {} }, { key: key('nope'), metadata: {} }]);
    expect(legacy?.data.toString()).toBe('"old"');
    expect(missing).toBeUndefined();
    await store.set(setReq('legacy', '"new"'));
    expect(await raw.hgetall(key('legacy'))).toEqual({ data: '"new"', version: '1' });
  });
});

describe('state.redis ETags', () => {
  it('rejects a non-numeric ETag as invalid and writes nothing', async () => {
    const err = await store.set(setReq('bad', '1', { etag: 'abc' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ETagError);
    expect((err as ETagError).kind).toBe('invalid');
    expect(await raw.exists(key('bad'))).toBe(0);
  });

  it('accepts an ETag on a missing key, like daprd', async () => {
    await store.set(setReq('fresh', '1', { etag: '42' }));
    expect(await raw.hget(key('fresh'), 'version')).toBe('1');
  });

  it('refuses a stale ETag as a mismatch; last-write ignores it', async () => {
    await store.set(setReq('stale', '1'));
    await store.set(setReq('stale', '2'));
    const err = await store.set(setReq('stale', '3', { etag: '1' })).catch((e: unknown) => e);
    expect((err as ETagError).kind).toBe('mismatch');
    await store.set(setReq('stale', '4', { etag: '1', concurrency: 'last-write' }));
    expect(await raw.hgetall(key('stale'))).toEqual({ data: '4', version: '3' });
  });

  it('deletes unconditionally without an ETag and checks a given one', async () => {
    await store.set(setReq('del', '1'));
    await expect(store.delete({ key: key('del'), etag: '9', metadata: {} })).rejects.toMatchObject({ kind: 'mismatch' });
    await store.delete({ key: key('del'), etag: '1', metadata: {} });
    expect(await raw.exists(key('del'))).toBe(0);
    await store.delete({ key: key('del'), etag: '5', metadata: {} }); // missing key: allowed, as in daprd
  });
});

describe('state.redis transactions', () => {
  it('applies nothing when one operation has a stale ETag', async () => {
    await store.set(setReq('tx-a', 'a1'));
    await store.set(setReq('tx-b', 'b1'));
    const err = await store
      .multi([
        { operation: 'upsert', request: setReq('tx-a', 'a2', { etag: '1' }) },
        { operation: 'upsert', request: setReq('tx-c', 'c1') },
        { operation: 'delete', request: { key: key('tx-b'), etag: '7', metadata: {} } },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ETagError);
    expect((err as Error).message).toContain(key('tx-b'));
    expect(await raw.hgetall(key('tx-a'))).toEqual({ data: 'a1', version: '1' });
    expect(await raw.exists(key('tx-b'), key('tx-c'))).toBe(1);
  });

  it('checks later operations against the effect of earlier ones', async () => {
    await store.set(setReq('tx-seq', 's1'));
    await store.multi([
      { operation: 'upsert', request: setReq('tx-seq', 's2', { etag: '1' }) },
      { operation: 'upsert', request: setReq('tx-seq', 's3', { etag: '2' }) },
      { operation: 'delete', request: { key: key('tx-gone'), metadata: {} } },
    ]);
    expect(await raw.hgetall(key('tx-seq'))).toEqual({ data: 's3', version: '3' });
  });
});

describe('state.redis TTL', () => {
  it('sets an expiry with EXPIRE and removes it with PERSIST', async () => {
    await store.set(setReq('ttl', '1', { ttlInSeconds: 100 }));
    expect(await raw.ttl(key('ttl'))).toBeGreaterThan(90);
    await store.set(setReq('ttl', '2'));
    expect(await raw.ttl(key('ttl'))).toBeGreaterThan(90); // no TTL given: left as is
    await store.set(setReq('ttl', '3', { ttlInSeconds: -1 }));
    expect(await raw.ttl(key('ttl'))).toBe(-1);
  });

  it('applies the component default when a save sets none', async () => {
    const withDefault = await createStore({ ttlInSeconds: 50 });
    try {
      await withDefault.set(setReq('ttl-default', '1'));
      const ttl = await raw.ttl(key('ttl-default'));
      expect(ttl).toBeGreaterThan(40);
      expect(ttl).toBeLessThanOrEqual(50);
    } finally {
      await withDefault.close();
    }
  });
});

describe('state.redis init', () => {
  it('fails fast against a closed port, naming host:port', async () => {
    const create = await redisState.load();
    const s = create({ name: 'r', logger: pino({ level: 'silent' }) });
    const started = Date.now();
    const err = await s.init(metadata({ redisHost: '127.0.0.1:1', redisPassword: 's3cret' })).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((err as Error).message).toMatch(/127\.0\.0\.1:1\b/);
    expect((err as Error).message).not.toContain('s3cret');
    await s.close();
  });

  it('rejects cluster mode with a clear message', async () => {
    const s = (await redisState.load())({ name: 'r', logger: pino({ level: 'silent' }) });
    await expect(s.init(metadata({ redisHost: '127.0.0.1:1', redisType: 'cluster' }))).rejects.toThrow(/standalone/);
  });
});
