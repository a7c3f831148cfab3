import { credentials, Metadata, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { serviceByName } from '../../src/transports/grpc/protos.js';

/** A client of another sidecar's internal API (CallLocal), with whatever credentials a test gives it. */
export function internalClient(port: number, creds: ChannelCredentials = credentials.createInsecure()) {
  const Ctor = serviceByName('dapr.proto.internals.v1.ServiceInvocation');
  const client = new Ctor(`127.0.0.1:${port}`, creds, { 'grpc.ssl_target_name_override': 'peer.default.svc.cluster.local' }) as unknown as {
    CallLocal(req: object, md: Metadata, opts: { deadline: number }, cb: (err: ServiceError | null, res: { status: { code: number } }) => void): void;
    close(): void;
  };
  /** POSTs `method` claiming to come from `claimedCaller`; resolves with the app's status or the gRPC error. */
  const callLocal = (method: string, claimedCaller: string) =>
    new Promise<{ status?: number; err?: ServiceError }>((resolve) => {
      const req = {
        ver: 'V1',
        metadata: { 'dapr-caller-app-id': { values: [claimedCaller] }, 'dapr-caller-namespace': { values: ['default'] } },
        message: { method, data: { type_url: '', value: Buffer.from('x') }, content_type: 'text/plain', http_extension: { verb: 'POST', querystring: '' } },
      };
      client.CallLocal(req, new Metadata(), { deadline: Date.now() + 10_000 }, (err, res) => resolve(err ? { err } : { status: res.status.code }));
    });
  return { callLocal, close: () => client.close() };
}

/** TLS credentials with a client certificate, accepting any server identity (the server is what is tested). */
export function tlsCredentials(trustAnchors: string, chainPem: string, keyPem: string): ChannelCredentials {
  return credentials.createSsl(Buffer.from(trustAnchors), Buffer.from(keyPem), Buffer.from(chainPem), { checkServerIdentity: () => undefined });
}
