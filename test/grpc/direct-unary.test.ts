import { Client, credentials, Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveUnaryDirectly } from '../../src/transports/grpc/direct-unary.js';

const PATH = '/test.Echo/Call';
const MAX = 1024;
const raw = (b: Buffer) => b;

/** One behaviour for both paths: echo the request, or fail as the request says. */
async function behave(request: Buffer): Promise<Buffer> {
  const text = request.toString();
  if (text === 'deny') {
    const metadata = new Metadata();
    metadata.set('grpc-status-details-bin', Buffer.from([8, 7, 18, 2, 110, 111]));
    metadata.set('x-reason', 'policy 100% sure');
    throw { code: status.PERMISSION_DENIED, details: 'denied: 100% sure, ü', metadata };
  }
  if (text === 'big') return Buffer.alloc(MAX + 1, 1);
  return Buffer.from(`echo ${text}`);
}

type Outcome = { value?: string; code?: number; details?: string; metadata?: Record<string, unknown> };

describe('serveUnaryDirectly', () => {
  const server = new Server({ 'grpc.max_receive_message_length': MAX, 'grpc.max_send_message_length': MAX });
  const served = { direct: 0, grpcJs: 0 };
  let client: Client;

  beforeAll(async () => {
    const viaGrpcJs = (call: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) => {
      served.grpcJs++;
      behave(call.request).then((v) => done(null, v), (e: ServiceError) => done(e));
    };
    server.addService({ Call: { path: PATH, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } }, { Call: viaGrpcJs });
    serveUnaryDirectly(server, PATH, (call) => (served.direct++, behave(call.message)), MAX);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  /** A deadline makes grpc-js send `grpc-timeout`, which leaves the call to grpc-js. */
  const call = (body: Buffer, viaGrpcJs: boolean) =>
    new Promise<Outcome>((resolve) => {
      const options = viaGrpcJs ? { deadline: Date.now() + 10_000 } : {};
      client.makeUnaryRequest(PATH, raw, raw, body, new Metadata(), options, (err, value) => {
        if (!err) return resolve({ value: value!.toString() });
        const md = err.metadata.getMap();
        resolve({ code: err.code, details: err.details, metadata: md });
      });
    });

  async function both(body: Buffer): Promise<Outcome> {
    const before = { ...served };
    const direct = await call(body, false);
    const grpcJs = await call(body, true);
    expect(served.grpcJs - before.grpcJs).toBeLessThanOrEqual(1);
    expect(grpcJs).toEqual(direct);
    return direct;
  }

  it('answers as grpc-js does, without grpc-js handling the call', async () => {
    const before = { ...served };
    expect(await both(Buffer.from('hello'))).toEqual({ value: 'echo hello' });
    expect(served.direct - before.direct).toBe(1);
    expect(served.grpcJs - before.grpcJs).toBe(1);
  });

  it('fails with the same code, details and trailing metadata', async () => {
    const out = await both(Buffer.from('deny'));
    expect(out).toMatchObject({ code: status.PERMISSION_DENIED, details: 'denied: 100% sure, ü' });
    expect(out.metadata).toMatchObject({ 'x-reason': 'policy 100% sure' });
    expect(out.metadata!['grpc-status-details-bin']).toEqual(Buffer.from([8, 7, 18, 2, 110, 111]));
  });

  it('refuses a request over the size limit, and an answer over it, with RESOURCE_EXHAUSTED', async () => {
    const big = await both(Buffer.alloc(MAX + 1, 1));
    expect(big.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(big.details).toContain('Received message larger than max');
    const bigAnswer = await both(Buffer.from('big'));
    expect(bigAnswer.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(bigAnswer.details).toContain('Sent message larger than max');
  });

  it('takes many concurrent calls on one connection', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => call(Buffer.from(`m${i}`), false)));
    answers.forEach((a, i) => expect(a).toEqual({ value: `echo m${i}` }));
  });
});
