import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { serviceByName } from '../../src/transports/grpc/protos.js';

type Unary = (req: object, md: Metadata, cb: (err: ServiceError | null, res: unknown) => void) => void;

/** A promise-based client of dapr.proto.runtime.v1.Dapr, built from our own protos. */
export function daprClient(port: number, token?: string) {
  const Ctor = serviceByName('dapr.proto.runtime.v1.Dapr');
  const client = new Ctor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Record<string, Unary> & { close(): void };
  const call = <T = Record<string, unknown>>(rpc: string, req: object = {}, extra: Record<string, string> = {}): Promise<T> =>
    new Promise((resolve, reject) => {
      const md = new Metadata();
      if (token) md.set('dapr-api-token', token);
      for (const [k, v] of Object.entries(extra)) md.set(k, v);
      client[rpc].call(client, req, md, (err, res) => (err ? reject(err) : resolve(res as T)));
    });
  /** Calls any method path with an empty raw body: for RPCs our protos do not define. */
  const raw = (path: string): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const md = new Metadata();
      if (token) md.set('dapr-api-token', token);
      const c = client as unknown as { makeUnaryRequest: (...a: unknown[]) => void };
      c.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), md, (err: ServiceError | null, res: Buffer) => (err ? reject(err) : resolve(res)));
    });
  return { call, raw, close: () => client.close() };
}
