import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentDoc, errorBody, startHarness, type Harness } from './harness.js';

// The SQL API over both query-capable embedded stores: the same SQL, the same answers.
const STORES = [
  ['state.in-memory', []],
  ['state.sqlite', [{ name: 'connectionString', value: ':memory:' }]],
] as const;

const ORDERS = [
  { key: 'o1', value: { person: { org: 'Dev', id: 1 }, state: 'CA', qty: 5, paid: true } },
  { key: 'o2', value: { person: { org: 'Ops', id: 2 }, state: 'WA', qty: 2, paid: false } },
  { key: 'o3', value: { person: { org: 'Dev', id: 3 }, state: 'WA', qty: 9, paid: true } },
  { key: 'o4', value: { person: { org: 'Fin', id: 4 }, state: 'NY', qty: 1, paid: false } },
];

type Page = { results: Array<{ key: string; data: unknown; etag?: string }>; token?: string };

describe.each(STORES)('POST /v1.0-alpha1/state/{store}/sql over %s', (type, metadata) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ documents: [componentDoc('orders', type, [...metadata]), componentDoc('plain', 'state.plain-test')] });
    const saved = await h.app.inject({ method: 'POST', url: '/v1.0/state/orders', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(ORDERS) });
    expect(saved.statusCode).toBe(204);
  });
  afterAll(() => h.close());

  const sql = (query: string, extra: Record<string, unknown> = {}, store = 'orders') =>
    h.app.inject({ method: 'POST', url: `/v1.0-alpha1/state/${store}/sql`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ query, ...extra }) });
  const keys = (page: Page) => page.results.map((r) => r.key);

  it('answers exactly as the query API answers the same query', async () => {
    const bySql = await sql("SELECT * FROM orders WHERE person.org = 'Dev' OR state IN ('NY') ORDER BY qty DESC");
    const byJson = await h.app.inject({
      method: 'POST',
      url: '/v1.0-alpha1/state/orders/query',
      payload: JSON.stringify({ filter: { OR: [{ EQ: { 'person.org': 'Dev' } }, { IN: { state: ['NY'] } }] }, sort: [{ key: 'qty', order: 'DESC' }] }),
    });
    expect(bySql.statusCode).toBe(200);
    expect(bySql.headers['content-type']).toMatch(/^application\/json/);
    expect(bySql.payload).toBe(byJson.payload);
    expect(keys(bySql.json())).toEqual(['o3', 'o1', 'o4']);
    expect((bySql.json() as Page).results[0]).toEqual({ key: 'o3', data: ORDERS[2].value, etag: expect.any(String) });
  });

  it('AND, parentheses, booleans and the value. prefix', async () => {
    const res = await sql("SELECT * FROM orders WHERE value.paid = true AND (state = 'WA' OR qty = 5) ORDER BY person.id");
    expect(keys(res.json())).toEqual(['o1', 'o3']);
  });

  it('LIMIT pages with the token of each answer until a 204; OFFSET starts further on', async () => {
    const seen: string[][] = [];
    let token: string | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await sql('SELECT * FROM orders ORDER BY qty LIMIT 3', token ? { token } : {});
      if (res.statusCode === 204) break;
      const page = res.json() as Page;
      seen.push(keys(page));
      token = page.token;
    }
    expect(seen).toEqual([['o4', 'o2', 'o1'], ['o3']]);
    expect(keys((await sql('SELECT * FROM orders ORDER BY qty LIMIT 2 OFFSET 1')).json())).toEqual(['o2', 'o1']);
  });

  it('a column list answers those paths only', async () => {
    const res = await sql("SELECT person.org, qty FROM orders WHERE state = 'NY'");
    expect((res.json() as Page).results).toEqual([{ key: 'o4', data: { 'person.org': 'Fin', qty: 1 }, etag: expect.any(String) }]);
  });

  it('takes the bare SQL as text/plain, and metadata.* query parameters as the query API does', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1.0-alpha1/state/orders/sql?metadata.contentType=application/json',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      payload: "SELECT * FROM orders WHERE state = 'CA'",
    });
    expect(keys(res.json())).toEqual(['o1']);
  });

  it('no match is a 204 without a body', async () => {
    const res = await sql("SELECT * FROM orders WHERE state = 'TX'");
    expect(res.statusCode).toBe(204);
    expect(res.payload).toBe('');
  });

  it('SQL outside the subset is a 400 ERR_STATE_QUERY naming the construct and its place', async () => {
    const res = await sql('SELECT * FROM orders WHERE qty < 3');
    expect(res.statusCode).toBe(400);
    const description = 'not covered: the operator <, at line 1, column 32 (a condition compares with = or IN)';
    expect(errorBody(res.payload)).toEqual({
      errorCode: 'ERR_STATE_QUERY',
      message: `state store orders SQL query refused: ${description}`,
      details: [
        { '@type': 'type.googleapis.com/google.rpc.BadRequest', field_violations: [{ field: 'query', description }] },
        { '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resource_type: 'state', resource_name: 'orders', owner: '', description: '' },
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'DAPR_STATE_QUERY_FAILED', domain: 'dapr.io', metadata: null },
      ],
    });
    for (const [query, detail] of [
      ['SELECT * FROM customers', /FROM names "customers"/],
      ["SELECT * FROM orders WHERE state LIKE 'W%'", /not covered: LIKE, at line 1, column 34/],
      ['SELECT * FROM orders o JOIN x ON a = b', /table aliases/],
    ] as const) {
      const refused = await sql(query);
      expect(refused.statusCode, query).toBe(400);
      expect(errorBody(refused.payload).message).toMatch(detail);
    }
    const both = await sql('SELECT * FROM orders LIMIT 1 OFFSET 1', { token: '2' });
    expect(errorBody(both.payload).message).toMatch(/either OFFSET in the SQL or a token/);
    const badToken = await sql('SELECT * FROM orders LIMIT 1', { token: 'abc' });
    expect([badToken.statusCode, errorBody(badToken.payload).message]).toEqual([400, expect.stringMatching(/token "abc" is not the token of a previous page/)]);
  });

  it('a body that is not {"query": string} is a 400 ERR_MALFORMED_REQUEST naming the field', async () => {
    for (const [payload, message] of [
      ['[1]', /JSON object \{"query": "SELECT …"\}, got an array/],
      ['{"query": 3}', /query must be a string of SQL, got a number/],
      ['{}', /query must be a string of SQL, got nothing/],
      ['{"query": "SELECT * FROM orders", "token": 1}', /body.token must be a string/],
      ['not json', /failed deserializing HTTP body/],
    ] as const) {
      const res = await h.app.inject({ method: 'POST', url: '/v1.0-alpha1/state/orders/sql', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode, payload).toBe(400);
      expect(errorBody(res.payload), payload).toMatchObject({ errorCode: 'ERR_MALFORMED_REQUEST', message: expect.stringMatching(message) });
    }
  });

  it('an unknown store, or one without queries, fails as the query API fails', async () => {
    const unknown = await sql('SELECT * FROM nope', {}, 'nope');
    expect([unknown.statusCode, errorBody(unknown.payload).errorCode]).toEqual([400, 'ERR_STATE_STORE_NOT_FOUND']);
    const plain = await sql('SELECT * FROM plain', {}, 'plain');
    expect([plain.statusCode, errorBody(plain.payload).errorCode]).toEqual([500, 'ERR_STATE_STORE_NOT_SUPPORTED']);
  });
});
