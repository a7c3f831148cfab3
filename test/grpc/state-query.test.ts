import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

let mecha: MechaProcess;
let dapr: ReturnType<typeof daprClient>;

type QueryResponse = { results: Array<{ key: string; data: Buffer; etag: string; error: string }>; token: string; metadata: Record<string, string> };
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: ServiceError) => e);

beforeAll(async () => {
  // A table of its own per run, so reruns against one server never see old rows.
  const table = `grpc_query_${Date.now().toString(36)}`;
  const dir = resourcesDir({
    'pg.yaml': component('pg', 'state.postgresql', { connectionString: inject('postgresUrl'), tableName: table }),
    'redis.yaml': component('kv', 'state.redis', { redisHost: inject('redisAddress') }),
  });
  mecha = await startMecha(['--app-id', 'grpcquery', '--resources-path', dir]);
  dapr = daprClient(mecha.grpcPort);
  const orders = [
    { id: 'o1', status: 'open', total: 30 },
    { id: 'o2', status: 'shipped', total: 12.5 },
    { id: 'o3', status: 'open', total: 7 },
  ];
  await dapr.call('SaveState', {
    store_name: 'pg',
    states: orders.map((o) => ({ key: o.id, value: Buffer.from(JSON.stringify(o)), metadata: { contentType: 'application/json' } })),
  });
});

afterAll(async () => {
  dapr?.close();
  await mecha?.stop();
});

describe('QueryStateAlpha1 on state.postgresql through the sidecar', () => {
  it('filters, sorts and pages, keys without the app prefix, ETags as GetState gives them', async () => {
    const query = (token = '') => JSON.stringify({ filter: { EQ: { status: 'open' } }, sort: [{ key: 'total', order: 'DESC' }], page: { limit: 1, token } });
    const first = await dapr.call<QueryResponse>('QueryStateAlpha1', { store_name: 'pg', query: query() });
    expect(first.results.map((r) => [r.key, JSON.parse(r.data.toString())])).toEqual([['o1', { id: 'o1', status: 'open', total: 30 }]]);
    expect(first.token).toBe('1');
    expect(first.results[0]!.etag).toBe((await dapr.call<{ etag: string }>('GetState', { store_name: 'pg', key: 'o1' })).etag);
    const second = await dapr.call<QueryResponse>('QueryStateAlpha1', { store_name: 'pg', query: query(first.token) });
    expect([second.results.map((r) => r.key), second.token]).toEqual([['o3'], '2']);
    const done = await dapr.call<QueryResponse>('QueryStateAlpha1', { store_name: 'pg', query: query(second.token) });
    expect([done.results, done.token]).toEqual([[], '']);
  });

  it('answers a malformed query with INTERNAL and daprd\'s message naming the problem', async () => {
    const err = await failure(dapr.call('QueryStateAlpha1', { store_name: 'pg', query: '{"filter":{"GT":{"total":[1]}}}' }));
    expect(err?.code).toBe(status.INTERNAL);
    expect(err?.details).toBe('state store pg query failed: failed to parse JSON query body: filter.GT.total must be a number, string or boolean');
  });

  it('refuses a store without the query API and an unknown store as daprd does', async () => {
    const unsupported = await failure(dapr.call('QueryStateAlpha1', { store_name: 'kv', query: '{}' }));
    expect([unsupported?.code, unsupported?.details]).toEqual([status.INTERNAL, 'state store does not support querying']);
    expect((await failure(dapr.call('QueryStateAlpha1', { store_name: 'nope', query: '{}' })))?.code).toBe(status.INVALID_ARGUMENT);
  });

  it('reports QUERY_API among the capabilities of the postgresql store only', async () => {
    const md = await dapr.call<{ registered_components: Array<{ name: string; capabilities: string[] }> }>('GetMetadata');
    const caps = Object.fromEntries(md.registered_components.map((c) => [c.name, c.capabilities]));
    expect(caps.pg).toContain('QUERY_API');
    expect(caps.kv).not.toContain('QUERY_API');
  });
});
