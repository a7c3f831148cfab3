import { beforeAll, describe, expect, it } from 'vitest';
import { StateFeature, isQueryable, type StateStore } from '../../src/contracts/state.js';
import { StateApi } from '../../src/core/state-api.js';
import { KeyPrefixer } from '../../src/core/state-keys.js';
import type { StateAdapterCase } from './state-matrix.js';

const json = (v: unknown) => ({ data: Buffer.from(JSON.stringify(v)), binary: false });

/**
 * The query API through the state core (daprd's query JSON, the app's key prefix, page tokens) against
 * one adapter: every adapter declaring QUERY_API gives the same answers; the others are refused with
 * daprd's error.
 */
export function describeQueryConformance(c: StateAdapterCase, store: () => StateStore, run: string): void {
  const appId = `conformance-${run}-q`;
  const api = () => new StateApi(appId, { count: () => 1, find: () => ({ store: store(), keys: new KeyPrefixer('appid', 'store', appId) }) });
  const query = (q: unknown) => api().query({ storeName: 'store', query: JSON.stringify(q), metadata: {} });
  const ids = async (q: unknown) => (await query(q)).results.map((r) => JSON.parse(r.data.toString()).id as string);
  const byId = [{ key: 'id', order: 'ASC' }];

  describe.runIf(!c.features.includes(StateFeature.Query))('query API (not declared)', () => {
    it("is refused with daprd's ERR_STATE_STORE_NOT_SUPPORTED", async () => {
      expect(isQueryable(store())).toBe(false);
      await expect(query({})).rejects.toMatchObject({ code: 'ERR_STATE_STORE_NOT_SUPPORTED', message: 'state store does not support querying' });
    });
  });

  describe.runIf(c.features.includes(StateFeature.Query))('query API', () => {
    const docs = [
      { id: 'q1', state: 'CA', qty: 5, name: 'apple', ok: true, person: { org: 'Dev' } },
      { id: 'q2', state: 'WA', qty: 12, name: 'Banana', ok: false, person: { org: 'Ops' } },
      { id: 'q3', state: 'CA', qty: 20.5, name: 'cherry', ok: true, person: { org: 'Ops' } },
      { id: 'q4', state: 'NY', qty: '3', name: 'Zed', ok: null, person: { org: 'Dev' }, value: { tag: 'x' } },
      { id: 'q5', qty: 5.0, person: 'nobody' },
    ];

    beforeAll(async () => {
      for (const d of docs) await store().set({ key: `${appId}||${d.id}`, value: json(d), metadata: {} });
      await store().set({ key: `${appId}||bin`, value: { data: Buffer.from([1, 2, 3]), binary: true }, metadata: {} });
      await store().set({ key: `other-${run}||q9`, value: json({ id: 'q9', state: 'CA', qty: 5 }), metadata: {} });
      if (c.features.includes(StateFeature.Ttl)) {
        await store().set({ key: `${appId}||gone`, value: json({ id: 'gone', state: 'CA' }), ttlInSeconds: 1, metadata: {} });
        await new Promise((r) => setTimeout(r, 1100));
      }
    });

    it("sees only the app's live JSON values, keys without the prefix, ETags as get gives them", async () => {
      const page = await query({ sort: byId });
      expect(page.results.map((r) => r.key)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
      expect(JSON.parse(page.results[2]!.data.toString())).toEqual(docs[2]);
      if (c.features.includes(StateFeature.ETag)) expect(page.results[0]!.etag).toBe((await store().get({ key: `${appId}||q1`, metadata: {} }))?.etag);
      expect(page.token).toBeUndefined();
    });

    it('compares by JSON type and value: EQ, NEQ, IN, nested paths, null and booleans', async () => {
      expect(await ids({ filter: { EQ: { state: 'CA' } }, sort: byId })).toEqual(['q1', 'q3']);
      expect(await ids({ filter: { EQ: { qty: 5 } }, sort: byId })).toEqual(['q1', 'q5']);
      expect(await ids({ filter: { EQ: { qty: '3' } } })).toEqual(['q4']);
      expect(await ids({ filter: { EQ: { qty: 3 } } })).toEqual([]);
      expect(await ids({ filter: { NEQ: { state: 'CA' } }, sort: byId })).toEqual(['q2', 'q4']);
      expect(await ids({ filter: { IN: { 'person.org': ['Ops', 'Nope'] } }, sort: byId })).toEqual(['q2', 'q3']);
      expect(await ids({ filter: { EQ: { ok: true } }, sort: byId })).toEqual(['q1', 'q3']);
      expect(await ids({ filter: { EQ: { ok: null } } })).toEqual(['q4']);
      expect(await ids({ filter: { NEQ: { ok: null } }, sort: byId })).toEqual(['q1', 'q2', 'q3']);
      expect(await ids({ filter: { EQ: { 'value.tag': 'x' } } })).toEqual(['q4']);
    });

    it('ranges only within one JSON type: numbers by value, strings by code point, false < true', async () => {
      expect(await ids({ filter: { GT: { qty: 5 } }, sort: byId })).toEqual(['q2', 'q3']);
      expect(await ids({ filter: { GTE: { qty: 5 } }, sort: byId })).toEqual(['q1', 'q2', 'q3', 'q5']);
      expect(await ids({ filter: { LT: { qty: 12 } }, sort: byId })).toEqual(['q1', 'q5']);
      expect(await ids({ filter: { LTE: { qty: '9' } } })).toEqual(['q4']);
      expect(await ids({ filter: { GT: { name: 'Z' } }, sort: byId })).toEqual(['q1', 'q3', 'q4']);
      expect(await ids({ filter: { GT: { ok: false } } , sort: byId })).toEqual(['q1', 'q3']);
    });

    it('combines AND and OR', async () => {
      const q = { AND: [{ OR: [{ EQ: { state: 'CA' } }, { EQ: { state: 'NY' } }] }, { NEQ: { 'person.org': 'Ops' } }] };
      expect(await ids({ filter: q, sort: byId })).toEqual(['q1', 'q4']);
    });

    it('sorts numbers, strings, booleans, then the rest, DESC exactly reversed, ties by key', async () => {
      expect(await ids({ sort: [{ key: 'qty' }] })).toEqual(['q1', 'q5', 'q2', 'q3', 'q4']);
      expect(await ids({ sort: [{ key: 'qty', order: 'DESC' }] })).toEqual(['q4', 'q3', 'q2', 'q1', 'q5']);
      expect(await ids({ sort: [{ key: 'name', order: 'ASC' }] })).toEqual(['q2', 'q4', 'q1', 'q3', 'q5']);
      expect(await ids({ sort: [{ key: 'ok', order: 'DESC' }, { key: 'id', order: 'DESC' }] })).toEqual(['q5', 'q4', 'q3', 'q1', 'q2']);
      expect(await ids({ sort: [{ key: 'person.org', order: 'desc' }] })).toEqual(['q5', 'q2', 'q3', 'q1', 'q4']);
    });

    it('pages with daprd tokens until an empty page', async () => {
      const first = await query({ sort: byId, page: { limit: 2 } });
      expect(first.results.map((r) => r.key)).toEqual(['q1', 'q2']);
      expect(first.token).toBe('2');
      const second = await query({ sort: byId, page: { limit: 2, token: first.token } });
      const third = await query({ sort: byId, page: { limit: 2, token: second.token } });
      expect([second, third].map((p) => [p.results.map((r) => r.key), p.token])).toEqual([[['q3', 'q4'], '4'], [['q5'], '5']]);
      expect(await query({ sort: byId, page: { limit: 2, token: third.token } })).toEqual({ results: [], token: undefined });
    });
  });
}
