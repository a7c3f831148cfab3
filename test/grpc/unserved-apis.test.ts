import { readFileSync } from 'node:fs';
import { credentials, Client, Metadata, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageFile } from '../../src/util/package-files.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

// The gRPC side of test/http/unserved-apis.test.ts: requests replayed as recorded (raw protobuf bytes,
// since our protos do not define these RPCs' messages), daprd's status code, message and ErrorInfo reasons.
interface RecordedRpc {
  rpc: string;
  request: string;
  code: number;
  message: string;
  reasons: string[];
}
const recorded = JSON.parse(readFileSync(new URL('../fixtures/daprd-unserved-apis.json', import.meta.url), 'utf8')) as { grpc: RecordedRpc[] };
const BIDI = new Set(['EncryptAlpha1', 'DecryptAlpha1']);
const rpcRoot = protobuf.loadSync(['status.proto', 'error_details.proto'].map((f) => packageFile('proto', 'google', 'rpc', f)));

let mecha: MechaProcess;
let client: Client;

beforeAll(async () => {
  mecha = await startMecha(['--app-id', 'orders', '--resources-path', resourcesDir({ 'c.yaml': component('statestore', 'state.in-memory') })]);
  client = new Client(`127.0.0.1:${mecha.grpcPort}`, credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await mecha?.stop();
});

function call(rpc: string, request: Buffer): Promise<ServiceError> {
  const path = `/dapr.proto.runtime.v1.Dapr/${rpc}`;
  const id = (b: Buffer) => b;
  const options = { deadline: Date.now() + 10_000 };
  return new Promise((resolve) => {
    if (BIDI.has(rpc)) {
      const stream = client.makeBidiStreamRequest(path, id, id, new Metadata(), options);
      stream.on('data', () => undefined);
      stream.on('error', (e: ServiceError) => resolve(e));
      stream.write(request);
      stream.end();
    } else client.makeUnaryRequest(path, id, id, request, new Metadata(), options, (e) => resolve(e as ServiceError));
  });
}

function reasons(err: ServiceError): string[] {
  const bin = err.metadata?.get('grpc-status-details-bin')[0];
  if (!Buffer.isBuffer(bin)) return [];
  const status = rpcRoot.lookupType('google.rpc.Status').decode(bin) as unknown as { details: Array<{ type_url: string; value: Uint8Array }> };
  const info = rpcRoot.lookupType('google.rpc.ErrorInfo');
  return status.details.filter((d) => d.type_url.endsWith('ErrorInfo')).map((d) => (info.decode(d.value) as unknown as { reason: string }).reason);
}

describe('gRPC RPCs of building blocks Mecha does not serve answer as daprd does', () => {
  it.each(recorded.grpc.map((r) => [`${r.rpc} ${r.request}`, r] as const))('%s', async (_name, r) => {
    const err = await call(r.rpc, Buffer.from(r.request, 'hex'));
    expect(err).toMatchObject({ code: r.code, details: r.message });
    expect(reasons(err)).toEqual(r.reasons);
  });

  it('relays RPCs daprd 1.17 does not define to the gRPC proxy, which needs a target app-id', async () => {
    const err = await call('ScheduleJob', Buffer.alloc(0));
    expect(err.code).toBe(2);
    expect(err.details).toMatch(/^failed to proxy request: required metadata/);
  });
});
