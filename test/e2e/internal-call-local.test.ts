import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceByName } from '../../src/transports/grpc/protos.js';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';

// A sidecar's internal port serves unary CallLocal itself, or through grpc-js when the call has a
// deadline: either way the caller must get the same answer.
const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const callLocal = serviceByName('dapr.proto.internals.v1.ServiceInvocation').service.CallLocal;
const raw = (b: Buffer) => b;
let callee: MechaProcess;
let client: Client;

const request = (method: string, caller = 'friend') =>
  callLocal.requestSerialize({
    ver: 'V1',
    metadata: { 'dapr-caller-app-id': { values: [caller] }, 'dapr-caller-namespace': { values: ['default'] }, 'x-probe': { values: ['1'] } },
    message: { method, data: { type_url: '', value: Buffer.from('ping') }, content_type: 'text/plain', http_extension: { verb: 'POST', querystring: 'a=1' } },
  });

type Outcome = { status?: number; body?: unknown; code?: number; details?: string };

/** A deadline makes grpc-js send `grpc-timeout`, which leaves the call to grpc-js's own handling. */
const call = (message: Buffer, viaGrpcJs: boolean) =>
  new Promise<Outcome>((resolve) => {
    client.makeUnaryRequest(callLocal.path, raw, raw, message, new Metadata(), viaGrpcJs ? { deadline: Date.now() + 10_000 } : {}, (err: ServiceError | null, value?: Buffer) => {
      if (err) return resolve({ code: err.code, details: err.details });
      const res = callLocal.responseDeserialize(value!) as { status: { code: number }; message: { data: { value: Buffer } } };
      const body = JSON.parse(res.message.data.value.toString()) as { method: string; url: string; body: string; headers: Record<string, string> };
      resolve({ status: res.status.code, body: { method: body.method, url: body.url, body: body.body, probe: body.headers['x-probe'], caller: body.headers['dapr-caller-app-id'] } });
    });
  });

async function both(message: Buffer): Promise<Outcome> {
  const direct = await call(message, false);
  expect(await call(message, true)).toEqual(direct);
  return direct;
}

beforeAll(async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mecha-call-local-'));
  const config = join(cwd, 'config.yaml');
  writeFileSync(
    config,
    'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: acl\nspec:\n  accessControl:\n    defaultAction: allow\n    policies:\n      - appId: stranger\n        defaultAction: deny\n',
  );
  const internalPort = await freePort();
  callee = await startMecha(['--app-id', 'callee', '--config', config, '--dapr-internal-grpc-port', String(internalPort), '--app-port', String(await freePort()), '--', process.execPath, ECHO_APP], {
    cwd,
    env: { HOME: cwd },
  });
  client = new Client(`127.0.0.1:${internalPort}`, credentials.createInsecure());
  // The sidecar is healthy before its app listens: wait (bounded) until a call reaches the app.
  for (let i = 0; i < 100 && (await call(request('echo/ready'), false)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
}, 60_000);

afterAll(async () => {
  client?.close();
  await callee?.stop();
});

describe('CallLocal on the internal port', () => {
  it('relays the call to the app and its answer back alike on both paths', async () => {
    const out = await both(request('echo/this'));
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ method: 'POST', url: '/echo/this?a=1', body: 'ping', probe: '1', caller: 'friend' });
  });

  it('refuses a caller the access control denies with the same status', async () => {
    const out = await both(request('echo/this', 'stranger'));
    expect(out.code).toBe(7);
    expect(out.details).toMatch(/access control policy has denied access/);
  });

  it('answers a request that is no InternalInvokeRequest as grpc-js does', async () => {
    const out = await both(Buffer.from([0x0a, 0xff, 0xff, 0xff]));
    expect(out).toEqual({ code: 13, details: 'Error deserializing request' });
  });
});
