import { status, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

let mecha: MechaProcess;
let dapr: ReturnType<typeof daprClient>;

const statusOf = (p: Promise<unknown>) => p.then(() => status.OK, (e: ServiceError) => e.code);

/** The google.rpc.ErrorInfo in an error's `grpc-status-details-bin`, as the SDKs decode it. */
function errorInfo(err: ServiceError): Record<string, unknown> | undefined {
  const bin = err.metadata.get('grpc-status-details-bin')[0] as Buffer | undefined;
  if (!bin) return undefined;
  const root = protobuf.loadSync(['status.proto', 'error_details.proto'].map((f) => fileURLToPath(new URL(`../../proto/google/rpc/${f}`, import.meta.url))));
  const decoded = root.lookupType('google.rpc.Status').decode(bin) as unknown as { details: Array<{ type_url: string; value: Uint8Array }> };
  const info = decoded.details.find((d) => d.type_url.endsWith('ErrorInfo'));
  const type = root.lookupType('google.rpc.ErrorInfo');
  return info && type.toObject(type.decode(info.value));
}

beforeAll(async () => {
  const dir = resourcesDir({ 'mem.yaml': component('statestore', 'state.in-memory') });
  mecha = await startMecha(['--app-id', 'grpcapp', '--resources-path', dir]);
  dapr = daprClient(mecha.grpcPort);
});

afterAll(async () => {
  dapr?.close();
  await mecha?.stop();
});

describe('state over gRPC (same core as HTTP)', () => {
  it('saves raw bytes and reads them back with an ETag; a missing key is an empty response', async () => {
    await dapr.call('SaveState', { store_name: 'statestore', states: [{ key: 'bytes', value: Buffer.from([1, 2, 3]) }] });
    const got = await dapr.call<{ data: Buffer; etag: string }>('GetState', { store_name: 'statestore', key: 'bytes' });
    expect([...got.data]).toEqual([1, 2, 3]);
    expect(got.etag).toBeTruthy();
    const missing = await dapr.call<{ data: Buffer; etag: string }>('GetState', { store_name: 'statestore', key: 'nope' });
    expect(missing.data.length).toBe(0);
    expect(missing.etag).toBe('');
  });

  it('shares data with the HTTP API: JSON saved over gRPC with contentType is JSON over HTTP', async () => {
    await dapr.call('SaveState', {
      store_name: 'statestore',
      states: [{ key: 'json', value: Buffer.from('{"b": 1, "a": 2}'), metadata: { contentType: 'application/json' } }],
    });
    const res = await fetch(`${mecha.url}/v1.0/state/statestore/json`);
    expect(await res.text()).toBe('{"a":2,"b":1}');
  });

  it('maps an ETag mismatch to ABORTED and a delete with the right ETag succeeds', async () => {
    await dapr.call('SaveState', { store_name: 'statestore', states: [{ key: 'e', value: Buffer.from('1') }] });
    const { etag } = await dapr.call<{ etag: string }>('GetState', { store_name: 'statestore', key: 'e' });
    const stale = dapr.call('SaveState', { store_name: 'statestore', states: [{ key: 'e', value: Buffer.from('2'), etag: { value: 'stale' } }] });
    const staleSave = (await stale.catch((e: ServiceError) => e)) as ServiceError;
    expect(staleSave.code).toBe(status.ABORTED);
    // As daprd: the code travels as ErrorInfo reason over gRPC (the HTTP body has no details).
    expect(errorInfo(staleSave)).toEqual({ reason: 'ERR_STATE_SAVE', domain: 'dapr.io' });
    const staleDelete = (await dapr.call('DeleteState', { store_name: 'statestore', key: 'e', etag: { value: 'stale' } }).catch((e: ServiceError) => e)) as ServiceError;
    expect(staleDelete.code).toBe(status.ABORTED);
    expect(errorInfo(staleDelete)).toEqual({ reason: 'ERR_STATE_DELETE', domain: 'dapr.io' });
    await dapr.call('DeleteState', { store_name: 'statestore', key: 'e', etag: { value: etag } });
  });

  it('reads in bulk, deletes in bulk and runs transactions', async () => {
    await dapr.call('ExecuteStateTransaction', {
      storeName: 'statestore',
      operations: [
        { operationType: 'upsert', request: { key: 't1', value: Buffer.from('"one"') } },
        { operationType: 'upsert', request: { key: 't2', value: Buffer.from('"two"') } },
      ],
    });
    const bulk = await dapr.call<{ items: Array<{ key: string; data: Buffer }> }>('GetBulkState', { store_name: 'statestore', keys: ['t2', 'zz', 't1'] });
    expect(bulk.items.map((i) => [i.key, i.data.toString()])).toEqual([['t2', '"two"'], ['zz', ''], ['t1', '"one"']]);
    await dapr.call('DeleteBulkState', { store_name: 'statestore', states: [{ key: 't1' }, { key: 't2' }] });
    const after = await dapr.call<{ items: Array<{ data: Buffer }> }>('GetBulkState', { store_name: 'statestore', keys: ['t1', 't2'] });
    expect(after.items.every((i) => i.data.length === 0)).toBe(true);
    const badOp = dapr.call('ExecuteStateTransaction', { storeName: 'statestore', operations: [{ operationType: 'merge', request: { key: 'x' } }] });
    expect(await statusOf(badOp)).toBe(status.UNIMPLEMENTED);
  });

  it('answers an unknown store with INVALID_ARGUMENT and rich ErrorInfo details', async () => {
    const err = await dapr.call('GetState', { store_name: 'nope', key: 'k' }).catch((e: ServiceError) => e);
    expect((err as ServiceError).code).toBe(status.INVALID_ARGUMENT);
    expect((err as ServiceError).details).toBe('state store nope is not found');
    expect(errorInfo(err as ServiceError)).toMatchObject({
      reason: 'DAPR_STATE_NOT_FOUND',
      domain: 'dapr.io',
      metadata: { appID: 'grpcapp' },
    });
  });

  it('answers QueryStateAlpha1 from the same core as the HTTP query route', async () => {
    await dapr.call('SaveState', {
      store_name: 'statestore',
      states: ['a', 'b'].map((id, i) => ({ key: `q-${id}`, value: Buffer.from(JSON.stringify({ id, n: i })), metadata: { contentType: 'application/json' } })),
    });
    const res = await dapr.call<{ results: Array<{ key: string; data: Buffer; etag: string }>; token: string }>('QueryStateAlpha1', {
      store_name: 'statestore',
      query: JSON.stringify({ filter: { EQ: { id: 'b' } } }),
    });
    expect(res.results.map((r) => [r.key, JSON.parse(r.data.toString())])).toEqual([['q-b', { id: 'b', n: 1 }]]);
    expect(res.results[0]!.etag).not.toBe('');
    expect(await statusOf(dapr.call('QueryStateAlpha1', { store_name: 'statestore', query: '{"filter":{"LIKE":{"a":1}}}' }))).toBe(status.INTERNAL);
  });
});

describe('runtime RPCs over gRPC', () => {
  it('reports metadata and takes extended attributes', async () => {
    await dapr.call('SetMetadata', { key: 'appCommand', value: 'node app.js' });
    const md = await dapr.call<{ id: string; registered_components: Array<{ name: string; capabilities: string[] }>; extended_metadata: Record<string, string> }>('GetMetadata');
    expect(md.id).toBe('grpcapp');
    expect(md.registered_components[0]).toMatchObject({ name: 'statestore', capabilities: ['ETAG', 'TRANSACTIONAL', 'TTL', 'QUERY_API', 'ACTOR'] });
    expect(md.extended_metadata.appCommand).toBe('node app.js');
  });

  it('answers RPCs of building blocks it does not serve as daprd without placement does (test/grpc/unserved-apis.test.ts has them all)', async () => {
    const err = await dapr.raw('/dapr.proto.runtime.v1.Dapr/InvokeActor').catch((e: ServiceError) => e);
    expect(err).toMatchObject({ code: status.UNAVAILABLE, details: 'placement service is not configured' });
  });
});

describe('gRPC API token', () => {
  it('refuses calls without the token with UNAUTHENTICATED', async () => {
    const m = await startMecha(['--app-id', 'tok'], { cwd: resourcesDir({}), env: { DAPR_API_TOKEN: 'grpc-secret' } });
    const anonymous = daprClient(m.grpcPort);
    const authed = daprClient(m.grpcPort, 'grpc-secret');
    try {
      expect(await statusOf(anonymous.call('GetMetadata'))).toBe(status.UNAUTHENTICATED);
      expect((await authed.call<{ id: string }>('GetMetadata')).id).toBe('tok');
    } finally {
      anonymous.close();
      authed.close();
      await m.stop();
    }
  });
});
