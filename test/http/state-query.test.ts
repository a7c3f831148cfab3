import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryableStateStore, StateQuery } from '../../src/contracts/state.js';
import { APP_ID, errorBody, startHarness, type Harness } from './harness.js';

let h: Harness;
const seen: StateQuery[] = [];

beforeAll(async () => {
  h = await startHarness();
  // Records what reaches the real in-memory store, to check the metadata and the parsed query.
  const store = h.host.get<QueryableStateStore>('state', 'statestore')!.instance;
  const query = store.query.bind(store);
  store.query = (q) => (seen.push(q), query(q));
  const cities = [
    { key: 'city-1', value: { city: 'Paris', pop: 2, geo: { country: 'FR' } } },
    { key: 'city-2', value: { city: 'Lyon', pop: 1, geo: { country: 'FR' } } },
    { key: 'city-3', value: { city: 'Nice', pop: 3, geo: { country: 'FR' } } },
    { key: 'city-4', value: { city: 'Rome', pop: 4, geo: { country: 'IT' } } },
  ];
  const res = await h.app.inject({ method: 'POST', url: '/v1.0/state/statestore', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(cities) });
  expect(res.statusCode).toBe(204);
  // Another app's value in the same store: never seen by this app's queries.
  await store.set({ key: 'otherapp||city-9', value: { data: Buffer.from('{"city":"Paris","pop":9}'), binary: false }, metadata: {} });
});
afterAll(async () => {
  await h.close();
});

function query(body: unknown, opts: { store?: string; search?: string; method?: 'POST' | 'PUT' } = {}) {
  return h.app.inject({
    method: opts.method ?? 'POST',
    url: `/v1.0-alpha1/state/${opts.store ?? 'statestore'}/query${opts.search ?? ''}`,
    headers: { 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

type Page = { results: Array<{ key: string; data: unknown; etag?: string }>; token?: string };

function expectQueryError(res: LightMyRequestResponse, detail: RegExp) {
  expect(res.statusCode).toBe(500);
  const body = errorBody(res.payload);
  expect(body.errorCode).toBe('ERR_STATE_QUERY');
  expect(body.message).toMatch(/^state store statestore query failed: failed to parse JSON query body: /);
  expect(body.message).toMatch(detail);
  expect(body.details).toEqual([
    { '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resource_type: 'state', resource_name: 'statestore', owner: '', description: '' },
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'DAPR_STATE_QUERY_FAILED', domain: 'dapr.io', metadata: null },
  ]);
}

describe('POST|PUT /v1.0-alpha1/state/{store}/query', () => {
  it("answers daprd's shape: the app's own keys without the prefix, raw JSON data, ETags", async () => {
    const res = await query({ filter: { EQ: { 'geo.country': 'FR' } }, sort: [{ key: 'pop', order: 'DESC' }] });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const page = res.json() as Page;
    expect(page.results.map((r) => [r.key, r.data])).toEqual([
      ['city-3', { city: 'Nice', pop: 3, geo: { country: 'FR' } }],
      ['city-1', { city: 'Paris', pop: 2, geo: { country: 'FR' } }],
      ['city-2', { city: 'Lyon', pop: 1, geo: { country: 'FR' } }],
    ]);
    const etag = (await h.app.inject({ method: 'GET', url: '/v1.0/state/statestore/city-3' })).headers.etag;
    expect(page.results[0]).toEqual({ key: 'city-3', data: expect.anything(), etag });
    expect(Object.keys(page)).toEqual(['results']);
    expect((await query({ filter: { EQ: { city: 'Paris' } } }, { method: 'PUT' })).json()).toMatchObject({ results: [{ key: 'city-1' }] });
  });

  it('pages with a token until a 204', async () => {
    const keys: string[][] = [];
    let token: string | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await query({ sort: [{ key: 'pop' }], page: { limit: 3, ...(token ? { token } : {}) } });
      if (res.statusCode === 204) break;
      const page = res.json() as Page;
      keys.push(page.results.map((r) => r.key));
      token = page.token;
    }
    expect(keys).toEqual([['city-2', 'city-1', 'city-3'], ['city-4']]);
    expect(token).toBe('4');
  });

  it('answers 204 with no body when nothing matches', async () => {
    const res = await query({ filter: { IN: { city: ['Oslo', 'Bern'] } } });
    expect(res.statusCode).toBe(204);
    expect(res.payload).toBe('');
  });

  it('passes metadata.* query parameters to the store (contentType, queryIndexName)', async () => {
    seen.length = 0;
    await query({}, { search: '?metadata.contentType=application/json&metadata.queryIndexName=idx' });
    expect(seen.map((q) => q.metadata)).toEqual([{ contentType: 'application/json', queryIndexName: 'idx' }]);
    expect(seen[0]).toMatchObject({ keyPrefix: `${APP_ID}||`, limit: 0, offset: 0, sort: [], filter: undefined });
  });

  it("keeps keys whole on a store with keyPrefix none", async () => {
    await h.app.inject({ method: 'POST', url: '/v1.0/state/nokeyprefix', headers: { 'content-type': 'application/json' }, payload: '[{"key":"bare","value":{"n":1}}]' });
    expect((await query({}, { store: 'nokeyprefix' })).json()).toEqual({ results: [{ key: 'bare', data: { n: 1 }, etag: expect.any(String) }] });
  });
});

describe('query errors', () => {
  it('names what is wrong in a malformed query, as ERR_STATE_QUERY', async () => {
    expectQueryError(await query('{not json'), /the query is not JSON/);
    expectQueryError(await query(''), /the query is not JSON/);
    expectQueryError(await query([]), /must be a JSON object/);
    expectQueryError(await query({ filter: { LIKE: { city: 'P%' } } }), /filter: unsupported operator "LIKE"/);
    expectQueryError(await query({ filter: { EQ: { city: 'a' }, NEQ: { city: 'b' } } }), /filter must have exactly one operator/);
    expectQueryError(await query({ filter: { AND: [{ EQ: { city: 'a' } }] } }), /filter\.AND must be a list of at least two filters/);
    expectQueryError(await query({ filter: { OR: [{ EQ: { a: 1 } }, { GT: { pop: null } }] } }), /filter\.OR\[1\]\.GT\.pop must be a number, string or boolean/);
    expectQueryError(await query({ filter: { IN: { city: [] } } }), /filter\.IN\.city must be a non-empty list/);
    expectQueryError(await query({ filter: { EQ: { city: { nested: 1 } } } }), /filter\.EQ\.city must be a string, number, boolean or null/);
    expectQueryError(await query({ filter: { EQ: { 'a..b': 1 } } }), /"a\.\.b" is not a dotted field path/);
    expectQueryError(await query({ sort: [{ key: 'pop', order: 'UP' }] }), /sort\[0\]\.order must be ASC or DESC/);
    expectQueryError(await query({ sort: [{ order: 'ASC' }] }), /sort\[0\]\.key/);
    expectQueryError(await query({ page: { limit: -1 } }), /page\.limit must be a non-negative integer/);
    expectQueryError(await query({ page: { limit: 1.5 } }), /page\.limit/);
    expectQueryError(await query({ page: { limit: 2, token: 'abc' } }), /page\.token/);
  });

  it('ignores fields it does not know, as daprd does', async () => {
    expect((await query({ filter: { EQ: { city: 'Rome' } }, extra: true })).json()).toMatchObject({ results: [{ key: 'city-4' }] });
  });

  it('refuses an unknown store and a store without queries before reading the body', async () => {
    expect(errorBody((await query('{not json', { store: 'nope' })).payload).errorCode).toBe('ERR_STATE_STORE_NOT_FOUND');
    expect((await query('{not json', { store: 'nope' })).statusCode).toBe(400);
    const res = await query('{not json', { store: 'plain' });
    expect(res.statusCode).toBe(500);
    expect(errorBody(res.payload)).toMatchObject({ errorCode: 'ERR_STATE_STORE_NOT_SUPPORTED', message: 'state store does not support querying' });
  });
});
