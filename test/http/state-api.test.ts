import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/contracts/state.js';
import { APP_ID, errorBody, startHarness, type Harness, type PlainStore } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const RESOURCE_INFO = 'type.googleapis.com/google.rpc.ResourceInfo';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const HELP = 'type.googleapis.com/google.rpc.Help';
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

function save(items: unknown, opts: { store?: string; query?: string; method?: 'POST' | 'PUT' } = {}) {
  return h.app.inject({
    method: opts.method ?? 'POST',
    url: `/v1.0/state/${opts.store ?? 'statestore'}${opts.query ?? ''}`,
    headers: { 'content-type': 'application/json' },
    payload: typeof items === 'string' ? items : JSON.stringify(items),
  });
}

function get(key: string, store = 'statestore') {
  return h.app.inject({ method: 'GET', url: `/v1.0/state/${store}/${key}` });
}

function del(key: string, headers: Record<string, string> = {}, store = 'statestore') {
  return h.app.inject({ method: 'DELETE', url: `/v1.0/state/${store}/${key}`, headers });
}

function post(url: string, body: unknown) {
  return h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
}

/** Asserts daprd's JSON error envelope: exactly errorCode, message and (for rich errors) details. */
function expectError(res: LightMyRequestResponse, status: number, errorCode: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = errorBody(res.payload);
  expect(body.errorCode).toBe(errorCode);
  expect(typeof body.message).toBe('string');
  expect(Object.keys(body).every((k) => ['errorCode', 'message', 'details'].includes(k))).toBe(true);
  return body;
}

function expectEmpty(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(204);
  expect(res.payload).toBe('');
}

async function etagOf(key: string, store = 'statestore'): Promise<string> {
  const res = await get(key, store);
  expect(res.statusCode).toBe(200);
  return res.headers.etag as string;
}

describe('save and get', () => {
  it('POST and PUT save answer 204; GET returns the bytes with a JSON content type and an ETag', async () => {
    expectEmpty(await save([{ key: 'sg1', value: { hello: 'world' } }]));
    expectEmpty(await save([{ key: 'sg2', value: 7 }], { method: 'PUT' }));
    const res = await get('sg1');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.etag).toEqual(expect.any(String));
    expect((res.headers.etag as string).length).toBeGreaterThan(0);
    expect(res.payload).toBe('{"hello":"world"}');
    expect((await get('sg2')).payload).toBe('7');
  });

  it('a missing key is 204 with no body and no ETag', async () => {
    const res = await get('never-saved');
    expectEmpty(res);
    expect(res.headers.etag).toBeUndefined();
  });

  // Stored the way Go's encoding/json writes them: keys sorted, HTML characters escaped.
  it.each([
    ['object', { b: 2, a: 1 }, '{"a":1,"b":2}'],
    ['string', 'x', '"x"'],
    ['JSON-looking string', '{"a":1}', '"{\\"a\\":1}"'],
    ['integer', 42, '42'],
    ['float', 1.5, '1.5'],
    ['boolean', true, 'true'],
    ['null', null, 'null'],
    ['nested array', [1, [2, { z: 1, y: [{ d: 1, c: 2 }] }]], '[1,[2,{"y":[{"c":2,"d":1}],"z":1}]]'],
    ['HTML characters', 'a<b&c>', '"a\\u003cb\\u0026c\\u003e"'],
  ])('%s values round-trip', async (name, value, stored) => {
    const key = `kind-${name.replace(/\W/g, '-')}`;
    expectEmpty(await save([{ key, value }]));
    const res = await get(key);
    expect(res.statusCode).toBe(200);
    expect(res.payload).toBe(stored);
  });

  it('an empty array is 204', async () => {
    expectEmpty(await save([]));
  });

  it('several items are saved in one request', async () => {
    expectEmpty(await save([{ key: 'multi1', value: 1 }, { key: 'multi2', value: 2 }]));
    expect((await get('multi1')).payload).toBe('1');
    expect((await get('multi2')).payload).toBe('2');
  });
});

describe('TTL', () => {
  const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

  function expectExpiry(res: LightMyRequestResponse, seconds: number) {
    const header = res.headers['metadata.ttlexpiretime'] as string;
    expect(header).toMatch(RFC3339);
    const delta = Date.parse(header) - Date.now();
    expect(delta).toBeGreaterThan((seconds - 5) * 1000);
    expect(delta).toBeLessThanOrEqual(seconds * 1000 + 1000);
  }

  it('query metadata.ttlInSeconds shows as the metadata.ttlExpireTime header', async () => {
    expectEmpty(await save([{ key: 'ttl-q', value: 1 }], { query: '?metadata.ttlInSeconds=100' }));
    expectExpiry(await get('ttl-q'), 100);
  });

  it('item metadata ttlInSeconds does the same, and -1 removes the expiry', async () => {
    expectEmpty(await save([{ key: 'ttl-i', value: 1, metadata: { ttlInSeconds: '200' } }]));
    expectExpiry(await get('ttl-i'), 200);
    expectEmpty(await save([{ key: 'ttl-i', value: 2, metadata: { ttlInSeconds: '-1' } }]));
    const res = await get('ttl-i');
    expect(res.payload).toBe('2');
    expect(res.headers['metadata.ttlexpiretime']).toBeUndefined();
  });

  it('a non-integer ttlInSeconds fails the save with a message naming it', async () => {
    const body = expectError(await save([{ key: 'ttl-bad', value: 1 }], { query: '?metadata.ttlInSeconds=soon' }), 500, 'ERR_STATE_SAVE');
    expect(body.message).toContain('ttlInSeconds');
    expectEmpty(await get('ttl-bad'));
  });
});

describe('ETags and concurrency', () => {
  it('a wrong ETag is 409 ERR_STATE_SAVE; the current one is accepted and replaced', async () => {
    await save([{ key: 'et1', value: 1 }]);
    const etag = await etagOf('et1');
    const body = expectError(await save([{ key: 'et1', value: 2, etag: 'not-the-etag' }]), 409, 'ERR_STATE_SAVE');
    expect(body.message).toContain('failed saving state in state store statestore');
    expect((await get('et1')).payload).toBe('1');
    expectEmpty(await save([{ key: 'et1', value: 3, etag }]));
    expect((await get('et1')).payload).toBe('3');
    expect(await etagOf('et1')).not.toBe(etag);
  });

  it('an ETag on a key that does not exist is a mismatch', async () => {
    expectError(await save([{ key: 'et-missing', value: 1, etag: 'x' }]), 409, 'ERR_STATE_SAVE');
  });

  it('first-write without an ETag fails on an existing key and succeeds on a new one', async () => {
    await save([{ key: 'fw', value: 1 }]);
    expectError(await save([{ key: 'fw', value: 2, options: { concurrency: 'first-write' } }]), 409, 'ERR_STATE_SAVE');
    expectEmpty(await save([{ key: 'fw-new', value: 1, options: { concurrency: 'first-write' } }]));
  });

  it('an unknown concurrency option is 500 ERR_STATE_SAVE', async () => {
    expectError(await save([{ key: 'conc', value: 1, options: { concurrency: 'whenever' } }]), 500, 'ERR_STATE_SAVE');
  });

  it('delete: wrong If-Match is 409 ERR_STATE_DELETE; matching and absent If-Match delete', async () => {
    await save([{ key: 'd1', value: 1 }, { key: 'd2', value: 1 }]);
    const body = expectError(await del('d1', { 'if-match': 'wrong' }), 409, 'ERR_STATE_DELETE');
    expect(body.message).toContain('failed deleting state with key d1');
    expect((await get('d1')).statusCode).toBe(200);
    expectEmpty(await del('d1', { 'if-match': await etagOf('d1') }));
    expectEmpty(await get('d1'));
    expectEmpty(await del('d2'));
    expectEmpty(await get('d2'));
  });

  it('deleting a missing key is 204', async () => {
    expectEmpty(await del('never-there'));
  });
});

describe('request validation', () => {
  it('a key containing || is 400 ERR_MALFORMED_REQUEST with rich details', async () => {
    const message = "input key/keyPrefix 'a||b' can't contain '||'";
    for (const res of [await get('a%7C%7Cb'), await save([{ key: 'a||b', value: 1 }]), await del('a%7C%7Cb')]) {
      const body = expectError(res, 400, 'ERR_MALFORMED_REQUEST');
      expect(body.message).toBe(message);
      expect(body.details?.map((d) => d['@type'])).toEqual([BAD_REQUEST, RESOURCE_INFO, ERROR_INFO]);
      expect(body.details?.[0]).toEqual({ '@type': BAD_REQUEST, field_violations: [{ field: 'a||b', description: message }] });
      expect(body.details?.[1]).toEqual({ '@type': RESOURCE_INFO, resource_type: 'state', resource_name: 'statestore', owner: '', description: '' });
      expect(body.details?.[2]).toMatchObject({ '@type': ERROR_INFO, reason: 'DAPR_STATE_ILLEGAL_KEY', domain: 'dapr.io' });
    }
  });

  it('a save item without a key is 400 ERR_MALFORMED_REQUEST', async () => {
    for (const item of [{ value: 1 }, { key: '', value: 1 }]) {
      const body = expectError(await save([item]), 400, 'ERR_MALFORMED_REQUEST');
      expect(body.message).toBe('"key" is a required field');
      expect(body.details).toBeUndefined();
    }
  });

  it('malformed JSON and a body that is not an array are 400 ERR_MALFORMED_REQUEST', async () => {
    expectError(await save('[{"key":'), 400, 'ERR_MALFORMED_REQUEST');
    expectError(await save({ key: 'k', value: 1 }), 400, 'ERR_MALFORMED_REQUEST');
  });

  it('an unknown store is 400 ERR_STATE_STORE_NOT_FOUND on every state route', async () => {
    const responses = [
      await get('k', 'nope'),
      await save([{ key: 'k', value: 1 }], { store: 'nope' }),
      await del('k', {}, 'nope'),
      await post('/v1.0/state/nope/bulk', { keys: ['k'] }),
      await post('/v1.0/state/nope/transaction', { operations: [] }),
    ];
    for (const res of responses) {
      const body = expectError(res, 400, 'ERR_STATE_STORE_NOT_FOUND');
      expect(body.message).toBe('state store nope is not found');
      expect(body.details).toEqual([{ '@type': ERROR_INFO, reason: 'DAPR_STATE_NOT_FOUND', domain: 'dapr.io', metadata: { appID: APP_ID } }]);
    }
  });

  it('with no state store at all every state route is 500 ERR_STATE_STORE_NOT_CONFIGURED', async () => {
    const empty = await startHarness({ documents: [] });
    try {
      const responses = [
        await empty.app.inject({ method: 'GET', url: '/v1.0/state/statestore/k' }),
        await empty.app.inject({ method: 'POST', url: '/v1.0/state/statestore', payload: '[]' }),
        await empty.app.inject({ method: 'DELETE', url: '/v1.0/state/statestore/k' }),
        await empty.app.inject({ method: 'POST', url: '/v1.0/state/statestore/bulk', payload: '{"keys":[]}' }),
        await empty.app.inject({ method: 'POST', url: '/v1.0/state/statestore/transaction', payload: '{"operations":[]}' }),
      ];
      for (const res of responses) {
        const body = expectError(res, 500, 'ERR_STATE_STORE_NOT_CONFIGURED');
        expect(body.message).toBe('state store statestore is not configured');
        expect(body.details).toEqual([{ '@type': ERROR_INFO, reason: 'DAPR_STATE_NOT_CONFIGURED', domain: 'dapr.io', metadata: { appID: APP_ID } }]);
      }
    } finally {
      await empty.close();
    }
  });
});

describe('order of checks', () => {
  // daprd resolves the store before it reads the body.
  it('an unknown store is reported before a malformed body', async () => {
    for (const url of ['/v1.0/state/nope', '/v1.0/state/nope/bulk', '/v1.0/state/nope/transaction']) {
      expectError(await h.app.inject({ method: 'POST', url, payload: '{not json' }), 400, 'ERR_STATE_STORE_NOT_FOUND');
    }
  });

  it('a store without transactions is reported before a malformed body', async () => {
    expectError(await h.app.inject({ method: 'POST', url: '/v1.0/state/plain/transaction', payload: '{not json' }), 500, 'ERR_STATE_STORE_NOT_SUPPORTED');
  });
});

describe('request metadata', () => {
  it('query metadata.* reaches the store on get and is merged into each saved item, the query winning', async () => {
    const plain = h.host.get<PlainStore>('state', 'plain')!.instance;
    plain.sets.length = 0;
    plain.gets.length = 0;
    expectEmpty(await save([{ key: 'm1', value: 1, metadata: { a: 'item', b: 'item' } }, { key: 'm2', value: 2 }], { store: 'plain', query: '?metadata.b=query' }));
    expect(plain.sets.map((s) => [s.key, s.metadata])).toEqual([
      [`${APP_ID}||m1`, { a: 'item', b: 'query' }],
      [`${APP_ID}||m2`, { b: 'query' }],
    ]);
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/state/plain/m1?metadata.partitionKey=p1' })).payload).toBe('1');
    expect(plain.gets.map((g) => g.metadata)).toEqual([{ partitionKey: 'p1' }]);
  });
});

describe('lenient decoding and paths', () => {
  it('JSON field names match case-insensitively (KEY, Value, ETag)', async () => {
    expectEmpty(await save([{ KEY: 'ci', Value: { a: 1 } }]));
    expect((await get('ci')).payload).toBe('{"a":1}');
    expectError(await save([{ Key: 'ci', VALUE: 2, ETag: 'wrong' }]), 409, 'ERR_STATE_SAVE');
    expectEmpty(await save([{ key: 'ci', value: 3, ETAG: await etagOf('ci') }]));
    expect((await get('ci')).payload).toBe('3');
  });

  it('a URL-encoded key is unescaped before use (a%2Fb is a/b)', async () => {
    expectEmpty(await save([{ key: 'a/b', value: 'slash' }]));
    const res = await get('a%2Fb');
    expect(res.statusCode).toBe(200);
    expect(res.payload).toBe('"slash"');
    const stored = await h.host.get<StateStore>('state', 'statestore')!.instance.get({ key: `${APP_ID}||a/b`, metadata: {} });
    expect(stored?.data.toString()).toBe('"slash"');
    expectEmpty(await del('a%2Fb'));
    expectEmpty(await get('a%2Fb'));
  });

  it('a trailing slash is tolerated', async () => {
    expectEmpty(await save([{ key: 'slash-end', value: 1 }], { store: 'statestore/' }));
    expect((await get('slash-end/')).payload).toBe('1');
  });
});

describe('bulk get', () => {
  beforeAll(async () => {
    await save([{ key: 'b1', value: { z: 1, a: 2 } }, { key: 'b2', value: 'two' }]);
  });

  it.each([
    ['with parallelism', { keys: ['b2', 'b-missing', 'b1'], parallelism: 2 }],
    ['without parallelism', { keys: ['b2', 'b-missing', 'b1'] }],
  ])('returns items in request order %s; missing keys carry only the key', async (_name, body) => {
    const res = await post('/v1.0/state/statestore/bulk', body);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.payload)).toEqual([
      { key: 'b2', data: 'two', etag: await etagOf('b2') },
      { key: 'b-missing' },
      { key: 'b1', data: { a: 2, z: 1 }, etag: await etagOf('b1') },
    ]);
    // `data` is the stored JSON embedded raw, not a string holding it.
    expect(res.payload).toContain('"data":{"a":2,"z":1}');
  });

  it('PUT works too and keys: [] is an empty array', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/v1.0/state/statestore/bulk', payload: '{"keys":[]}' });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.payload)).toEqual([]);
  });

  it('query metadata is merged into the body metadata, the query winning', async () => {
    const plain = h.host.get<PlainStore>('state', 'plain')!.instance;
    plain.gets.length = 0;
    const res = await post('/v1.0/state/plain/bulk?metadata.b=query&metadata.c=query', { keys: ['x'], metadata: { a: 'body', b: 'body' } });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.payload)).toEqual([{ key: 'x' }]);
    expect(plain.gets.map((g) => g.metadata)).toEqual([{ a: 'body', b: 'query', c: 'query' }]);
  });

  it('an illegal key or a malformed body is 400 ERR_MALFORMED_REQUEST', async () => {
    expectError(await post('/v1.0/state/statestore/bulk', { keys: ['ok', 'x||y'] }), 400, 'ERR_MALFORMED_REQUEST');
    expectError(await h.app.inject({ method: 'POST', url: '/v1.0/state/statestore/bulk', payload: '{"keys":' }), 400, 'ERR_MALFORMED_REQUEST');
  });
});

describe('transactions', () => {
  const tx = (body: unknown, store = 'statestore', query = '') => post(`/v1.0/state/${store}/transaction${query}`, body);

  it('upsert and delete apply together: 204', async () => {
    await save([{ key: 'tx-del', value: 1 }]);
    expectEmpty(
      await tx({
        operations: [
          { operation: 'upsert', request: { key: 'tx-up', value: { b: 1, a: 2 } } },
          { operation: 'delete', request: { key: 'tx-del' } },
        ],
      }),
    );
    expect((await get('tx-up')).payload).toBe('{"a":2,"b":1}');
    expectEmpty(await get('tx-del'));
  });

  it('an unknown operation is 400 ERR_NOT_SUPPORTED_STATE_OPERATION and applies nothing', async () => {
    const body = expectError(
      await tx({ operations: [{ operation: 'upsert', request: { key: 'tx-never', value: 1 } }, { operation: 'read', request: { key: 'x' } }] }),
      400,
      'ERR_NOT_SUPPORTED_STATE_OPERATION',
    );
    expect(body.message).toBe('operation type read not supported');
    expectEmpty(await get('tx-never'));
  });

  it('a stale ETag inside fails the whole transaction with 500 ERR_STATE_TRANSACTION; nothing changes', async () => {
    await save([{ key: 'tx-a', value: 'before' }, { key: 'tx-b', value: 'before' }]);
    const etagA = await etagOf('tx-a');
    expectError(
      await tx({
        operations: [
          { operation: 'upsert', request: { key: 'tx-new', value: 1 } },
          { operation: 'delete', request: { key: 'tx-b' } },
          { operation: 'upsert', request: { key: 'tx-a', value: 'after', etag: 'stale' } },
        ],
      }),
      500,
      'ERR_STATE_TRANSACTION',
    );
    expectEmpty(await get('tx-new'));
    expect((await get('tx-b')).payload).toBe('"before"');
    expect((await get('tx-a')).payload).toBe('"before"');
    expect(await etagOf('tx-a')).toBe(etagA);
  });

  it('empty operations are 204', async () => {
    expectEmpty(await tx({ operations: [] }));
  });

  it('deleting a missing key inside a transaction is 204', async () => {
    expectEmpty(await tx({ operations: [{ operation: 'delete', request: { key: 'tx-missing' } }] }));
  });

  it('request fields match case-insensitively and query metadata reaches every operation', async () => {
    expectEmpty(await tx({ operations: [{ operation: 'upsert', request: { Key: 'tx-ci', VALUE: 'v' } }] }, 'statestore', '?metadata.ttlInSeconds=100'));
    const res = await get('tx-ci');
    expect(res.payload).toBe('"v"');
    expect(res.headers['metadata.ttlexpiretime']).toEqual(expect.any(String));
  });

  it('a store without transactions is 500 ERR_STATE_STORE_NOT_SUPPORTED with rich details', async () => {
    const body = expectError(await tx({ operations: [{ operation: 'upsert', request: { key: 'k', value: 1 } }] }, 'plain'), 500, 'ERR_STATE_STORE_NOT_SUPPORTED');
    expect(body.message).toBe("state store plain doesn't support transactions");
    expect(body.details?.map((d) => d['@type'])).toEqual([HELP, RESOURCE_INFO, ERROR_INFO]);
    expect(body.details?.[0]).toEqual({
      '@type': HELP,
      links: [{ description: 'Check the list of state stores and the features they support', url: 'https://docs.dapr.io/reference/components-reference/supported-state-stores/' }],
    });
    expect(body.details?.[1]).toMatchObject({ resource_type: 'state', resource_name: 'plain' });
    expect(body.details?.[2]).toMatchObject({ reason: 'DAPR_STATE_TRANSACTIONS_NOT_SUPPORTED', domain: 'dapr.io' });
  });

  it('an illegal key inside is 400 ERR_MALFORMED_REQUEST', async () => {
    expectError(await tx({ operations: [{ operation: 'delete', request: { key: 'x||y' } }] }), 400, 'ERR_MALFORMED_REQUEST');
  });
});

describe('key prefixing', () => {
  const adapter = (store: string) => h.host.get<StateStore>('state', store)!.instance;

  it('the default store keeps keys as <appId>||key', async () => {
    expectEmpty(await save([{ key: 'pk', value: 1 }]));
    expect((await adapter('statestore').get({ key: `${APP_ID}||pk`, metadata: {} }))?.data.toString()).toBe('1');
    expect(await adapter('statestore').get({ key: 'pk', metadata: {} })).toBeUndefined();
  });

  it('transactions are prefixed the same way', async () => {
    expectEmpty(await post('/v1.0/state/statestore/transaction', { operations: [{ operation: 'upsert', request: { key: 'pk-tx', value: 2 } }] }));
    expect((await adapter('statestore').get({ key: `${APP_ID}||pk-tx`, metadata: {} }))?.data.toString()).toBe('2');
  });

  it('keyPrefix none keeps bare keys', async () => {
    expectEmpty(await save([{ key: 'pk', value: 3 }], { store: 'nokeyprefix' }));
    expect((await adapter('nokeyprefix').get({ key: 'pk', metadata: {} }))?.data.toString()).toBe('3');
    expect((await get('pk', 'nokeyprefix')).payload).toBe('3');
  });
});

describe('tracing', () => {
  it('every API response carries a traceparent, errors and unmatched routes included', async () => {
    const responses = [
      await save([{ key: 'tr', value: 1 }]),
      await get('tr'),
      await get('tr-missing'),
      await get('k', 'nope'),
      await h.app.inject({ method: 'GET', url: '/v1.0/metadata' }),
      await h.app.inject({ method: 'GET', url: '/no/such/route' }),
    ];
    for (const res of responses) expect(res.headers.traceparent).toMatch(TRACEPARENT);
  });

  it('healthz responses carry none', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/healthz' })).headers.traceparent).toBeUndefined();
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/healthz/outbound' })).headers.traceparent).toBeUndefined();
  });

  it('an incoming valid traceparent keeps its trace id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await h.app.inject({ method: 'GET', url: '/v1.0/state/statestore/tr', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(res.headers.traceparent).toMatch(TRACEPARENT);
    expect((res.headers.traceparent as string).split('-')[1]).toBe(traceId);
  });
});

// Differences from daprd 1.17.0 decided one way or the other (docs/compatibility.md, "Deliberate differences").
describe('validation decided against daprd’s recorded answers', () => {
  it('an unknown ?consistency= on a read is ignored, as daprd does (a write still refuses it)', async () => {
    expectEmpty(await save([{ key: 'cons', value: 1 }]));
    const res = await h.app.inject({ method: 'GET', url: '/v1.0/state/statestore/cons?consistency=bogus' });
    expect(res.statusCode).toBe(200);
    expect(res.payload).toBe('1');
  });

  it('a null save body saves nothing and answers 204, as daprd does', async () => {
    expectEmpty(await save('null'));
  });

  it('a metadata value that is not a string is 400 ERR_MALFORMED_REQUEST, as daprd', async () => {
    const body = expectError(await save([{ key: 'ttl-num', value: 1, metadata: { ttlInSeconds: 100 } }]), 400, 'ERR_MALFORMED_REQUEST');
    expect(body.message).toContain('ttlInSeconds must be a string');
  });

  it('a transaction with a bad TTL fails as ERR_STATE_TRANSACTION, as daprd', async () => {
    const res = await post('/v1.0/state/statestore/transaction', { operations: [{ operation: 'upsert', request: { key: 'tx-ttl', value: 1, metadata: { ttlInSeconds: 'abc' } } }] });
    expect(expectError(res, 500, 'ERR_STATE_TRANSACTION').message).toContain('ttlInSeconds');
  });

  it('a transaction upsert without a key stays 400 (daprd answers 204 and stores under an empty key)', async () => {
    const res = await post('/v1.0/state/statestore/transaction', { operations: [{ operation: 'upsert', request: { value: 1 } }] });
    expectError(res, 400, 'ERR_MALFORMED_REQUEST');
  });
});
