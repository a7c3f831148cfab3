import { Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceByName } from '../../src/transports/grpc/protos.js';
import { GrpcCallError, UnaryChannel } from '../../src/transports/grpc/unary-channel.js';
import { freePort } from '../support/mecha-process.js';

type Request = { message: { method: string; data: { value: Buffer } | null } | null };
const service = serviceByName('dapr.proto.internals.v1.ServiceInvocation').service;
const callLocal = service.CallLocal;

/** A grpc-js server whose CallLocal answers by the method named in the request. */
function answer(call: ServerUnaryCall<Request, object>, done: sendUnaryData<object>): void {
  const method = call.request.message?.method;
  const data = call.request.message?.data?.value ?? Buffer.alloc(0);
  if (method === 'deny') {
    const trailer = new Metadata();
    return done({ code: status.PERMISSION_DENIED, details: 'access control policy has denied access: 100% sure', metadata: trailer });
  }
  if (method === 'big') return done(null, { status: { code: 200 }, message: { data: { type_url: '', value: Buffer.alloc(4096, 1) } } });
  done(null, { status: { code: 200, message: '' }, headers: { echo: { values: [method ?? ''] } }, message: { data: { type_url: '', value: data } } });
}

const request = (method: string, data = Buffer.from('hello')) =>
  callLocal.requestSerialize({ ver: 'V1', metadata: {}, message: { method, data: { type_url: '', value: data }, content_type: 'text/plain', http_extension: { verb: 'POST', querystring: '' } } });

async function failure(p: Promise<unknown>): Promise<GrpcCallError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GrpcCallError);
  return err as GrpcCallError;
}

describe('UnaryChannel (sidecar-to-sidecar CallLocal)', () => {
  const server = new Server();
  let address: string;

  beforeAll(async () => {
    server.addService(service, { CallLocal: answer, CallLocalStream: (call: { end(): void }) => call.end() });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    address = `127.0.0.1:${port}`;
  });

  afterAll(() => server.forceShutdown());

  it('sends one framed message and decodes the answer, many calls on one connection', async () => {
    const channel = new UnaryChannel(address, 1024);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => channel.call(callLocal.path, request(`m${i}`))));
    answers.forEach((bytes, i) => {
      const res = callLocal.responseDeserialize(bytes) as { headers: Record<string, { values: string[] }>; message: { data: { value: Buffer } } };
      expect(res.headers.echo.values).toEqual([`m${i}`]);
      expect(res.message.data.value.toString()).toBe('hello');
    });
    channel.close();
  });

  it('fails with the server\'s gRPC code and decoded message, as grpc-js would word it', async () => {
    const channel = new UnaryChannel(address, 1024);
    const err = await failure(channel.call(callLocal.path, request('deny')));
    expect(err.code).toBe(status.PERMISSION_DENIED);
    expect(err.message).toBe('7 PERMISSION_DENIED: access control policy has denied access: 100% sure');
    channel.close();
  });

  it('refuses messages over the size limit both ways with RESOURCE_EXHAUSTED', async () => {
    const channel = new UnaryChannel(address, 1024);
    expect((await failure(channel.call(callLocal.path, request('echo', Buffer.alloc(2048))))).code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await failure(channel.call(callLocal.path, request('big')))).code).toBe(status.RESOURCE_EXHAUSTED);
    // The connection is still good for the next call.
    expect(callLocal.responseDeserialize(await channel.call(callLocal.path, request('after')))).toMatchObject({ headers: { echo: { values: ['after'] } } });
    channel.close();
  });

  it('answers UNIMPLEMENTED for an unknown method and UNAVAILABLE when nothing listens, then connects once something does', async () => {
    const channel = new UnaryChannel(address, 1024);
    expect((await failure(channel.call('/dapr.proto.internals.v1.ServiceInvocation/Nope', request('x')))).code).toBe(status.UNIMPLEMENTED);
    channel.close();

    const port = await freePort();
    const later = new UnaryChannel(`127.0.0.1:${port}`, 1024);
    const refused = await failure(later.call(callLocal.path, request('x')));
    expect(refused.code).toBe(status.UNAVAILABLE);
    expect(refused.message).toMatch(/ECONNREFUSED/);
    const second = new Server();
    second.addService(service, { CallLocal: answer, CallLocalStream: (call: { end(): void }) => call.end() });
    await new Promise<number>((resolve, reject) => second.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    try {
      expect(callLocal.responseDeserialize(await later.call(callLocal.path, request('back')))).toMatchObject({ headers: { echo: { values: ['back'] } } });
    } finally {
      later.close();
      second.forceShutdown();
    }
  });
});
