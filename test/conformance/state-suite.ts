import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import {
  ETagError,
  StateFeature,
  hasBulkGet,
  isTransactional,
  type SetRequest,
  type StateStore,
  type StateValue,
} from '../../src/contracts/state.js';
import type { StateAdapterCase, StateEnv } from './state-matrix.js';
import { describeQueryConformance } from './state-query-suite.js';

const json = (v: unknown): StateValue => ({ data: Buffer.from(JSON.stringify(v)), binary: false });
const setReq = (key: string, value: StateValue, extra: Partial<SetRequest> = {}): SetRequest => ({ key, value, metadata: {}, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The one state conformance suite: every adapter runs it unchanged, and each declared feature is
 * checked both ways (declared ⇒ it works; not declared ⇒ it is not offered).
 */
export function describeStateConformance(c: StateAdapterCase, env: () => StateEnv): void {
  describe(`${c.descriptor.type} conformance`, () => {
    let store: StateStore;
    const run = randomUUID().slice(0, 8);
    const k = (name: string) => `conformance-${run}||${name}`;
    const has = (f: StateFeature) => c.features.includes(f);

    beforeAll(async () => {
      const checked = validateAdapterMetadata(c.descriptor, c.metadata(env()));
      expect(checked.errors).toEqual([]);
      const create = await c.descriptor.load();
      store = create({ name: 'conformance', logger: pino({ level: 'silent' }) });
      await store.init(checked.value);
    });

    afterAll(async () => {
      await store?.close();
      await store?.close(); // close is idempotent
    });

    it('declares exactly the features of the matrix', () => {
      expect([...store.features()].sort()).toEqual([...c.features].sort());
      expect(isTransactional(store)).toBe(has(StateFeature.Transactional));
    });

    it('round-trips values of every kind', async () => {
      const values: Array<[string, StateValue]> = [
        ['object', json({ a: 1, nested: { b: [true, null, 'x'] } })],
        ['string', json('hello "world"')],
        ['number', json(42.5)],
        ['bool', json(false)],
        ['empty', json('')],
        ['binary', { data: Buffer.from([0, 255, 1, 128, 10]), binary: true }],
        ['unicode', json('héllo ✓ 日本')],
      ];
      for (const [name, value] of values) await store.set(setReq(k(name), value));
      for (const [name, value] of values) {
        const item = await store.get({ key: k(name), metadata: {} });
        expect(item?.data.equals(value.data), name).toBe(true);
      }
    });

    it('returns undefined for a missing key and deletes idempotently', async () => {
      expect(await store.get({ key: k('never-set'), metadata: {} })).toBeUndefined();
      await store.set(setReq(k('del'), json(1)));
      await store.delete({ key: k('del'), metadata: {} });
      expect(await store.get({ key: k('del'), metadata: {} })).toBeUndefined();
      await store.delete({ key: k('del'), metadata: {} });
    });

    it('overwrites on a plain set', async () => {
      await store.set(setReq(k('over'), json('v1')));
      await store.set(setReq(k('over'), json('v2')));
      expect((await store.get({ key: k('over'), metadata: {} }))?.data.toString()).toBe('"v2"');
    });

    it('bulk-reads in request order when it offers bulkGet', async () => {
      if (!hasBulkGet(store)) return;
      await store.set(setReq(k('b1'), json(1)));
      await store.set(setReq(k('b2'), json(2)));
      const items = await store.bulkGet([k('b2'), k('missing'), k('b1')].map((key) => ({ key, metadata: {} })));
      expect(items.map((i) => i?.data.toString())).toEqual(['2', undefined, '1']);
    });

    describe('ETags', () => {
      it(has(StateFeature.ETag) ? 'gives an ETag that changes on every write' : 'gives no ETag', async () => {
        await store.set(setReq(k('e'), json(1)));
        const first = (await store.get({ key: k('e'), metadata: {} }))?.etag;
        await store.set(setReq(k('e'), json(2)));
        const second = (await store.get({ key: k('e'), metadata: {} }))?.etag;
        if (!has(StateFeature.ETag)) return expect(first).toBeUndefined();
        expect(first).toBeTruthy();
        expect(second).not.toBe(first);
      });

      it.runIf(c.features.includes(StateFeature.ETag))('writes and deletes only with the current ETag', async () => {
        await store.set(setReq(k('m'), json('a')));
        const etag = (await store.get({ key: k('m'), metadata: {} }))!.etag!;
        const stale = /^\d+$/.test(etag) ? String(Number(etag) + 100) : randomUUID();
        await expect(store.set(setReq(k('m'), json('b'), { etag: stale }))).rejects.toMatchObject({ kind: 'mismatch' });
        expect((await store.get({ key: k('m'), metadata: {} }))?.data.toString()).toBe('"a"');
        await store.set(setReq(k('m'), json('c'), { etag }));
        const next = (await store.get({ key: k('m'), metadata: {} }))!.etag!;
        await expect(store.delete({ key: k('m'), etag, metadata: {} })).rejects.toBeInstanceOf(ETagError);
        await store.delete({ key: k('m'), etag: next, metadata: {} });
        expect(await store.get({ key: k('m'), metadata: {} })).toBeUndefined();
      });

      it.runIf(c.features.includes(StateFeature.ETag))('refuses first-write without an ETag on an existing key', async () => {
        await store.set(setReq(k('fw'), json(1), { concurrency: 'first-write' }));
        await expect(store.set(setReq(k('fw'), json(2), { concurrency: 'first-write' }))).rejects.toThrow();
        expect((await store.get({ key: k('fw'), metadata: {} }))?.data.toString()).toBe('1');
      });

      it.runIf(c.features.includes(StateFeature.ETag))('treats an ETag for a missing key per its declared rule', async () => {
        const write = store.set(setReq(k('ghost'), json(1), { etag: '12345' }));
        if (c.quirks?.etagOnMissingKeyAllowed) await expect(write).resolves.toBeUndefined();
        else await expect(write).rejects.toMatchObject({ kind: 'mismatch' });
      });
    });

    describe('TTL', () => {
      it(has(StateFeature.Ttl) ? 'expires keys, and -1 removes an expiry' : 'ignores ttlInSeconds', async () => {
        await store.set(setReq(k('ttl-short'), json(1), { ttlInSeconds: 1 }));
        await store.set(setReq(k('ttl-removed'), json(2), { ttlInSeconds: 1 }));
        await store.set(setReq(k('ttl-removed'), json(3), { ttlInSeconds: -1 }));
        await store.set(setReq(k('ttl-long'), json(4), { ttlInSeconds: 3600 }));
        await sleep(2100);
        const short = await store.get({ key: k('ttl-short'), metadata: {} });
        if (!has(StateFeature.Ttl)) return expect(short).toBeDefined();
        expect(short).toBeUndefined();
        expect((await store.get({ key: k('ttl-removed'), metadata: {} }))?.data.toString()).toBe('3');
        expect((await store.get({ key: k('ttl-long'), metadata: {} }))?.data.toString()).toBe('4');
      });
    });

    describe.runIf(c.features.includes(StateFeature.Transactional))('transactions', () => {
      it('applies upserts and deletes together, deleting a missing key is fine', async () => {
        if (!isTransactional(store)) throw new Error('declared TRANSACTIONAL without multi()');
        await store.set(setReq(k('t-del'), json('gone')));
        await store.multi([
          { operation: 'upsert', request: setReq(k('t-1'), json(1)) },
          { operation: 'upsert', request: setReq(k('t-2'), json(2)) },
          { operation: 'delete', request: { key: k('t-del'), metadata: {} } },
          { operation: 'delete', request: { key: k('t-never'), metadata: {} } },
        ]);
        expect((await store.get({ key: k('t-1'), metadata: {} }))?.data.toString()).toBe('1');
        expect((await store.get({ key: k('t-2'), metadata: {} }))?.data.toString()).toBe('2');
        expect(await store.get({ key: k('t-del'), metadata: {} })).toBeUndefined();
      });

      it('changes nothing when one ETag does not match', async () => {
        if (!isTransactional(store)) throw new Error('declared TRANSACTIONAL without multi()');
        await store.set(setReq(k('a-1'), json('before')));
        await store.set(setReq(k('a-2'), json('before')));
        const etag = (await store.get({ key: k('a-2'), metadata: {} }))!.etag!;
        const stale = /^\d+$/.test(etag) ? String(Number(etag) + 100) : randomUUID();
        await expect(
          store.multi([
            { operation: 'upsert', request: setReq(k('a-1'), json('after')) },
            { operation: 'delete', request: { key: k('a-3'), metadata: {} } },
            { operation: 'upsert', request: setReq(k('a-2'), json('after'), { etag: stale }) },
          ]),
        ).rejects.toThrow();
        expect((await store.get({ key: k('a-1'), metadata: {} }))?.data.toString()).toBe('"before"');
        expect((await store.get({ key: k('a-2'), metadata: {} }))?.data.toString()).toBe('"before"');
      });
    });

    describeQueryConformance(c, () => store, run);
  });
}
