import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { serviceByName } from './protos.js';
import { unimplementedService } from './unimplemented.js';
import type { CallGuard, UnaryHandler } from './handler.js';
import type { UnservedContext } from '../../core/unserved-apis.js';
import { grpcServerOptions } from './channel-options.js';
import { traceGrpcApi } from '../../observability/tracing-hooks.js';

export interface GrpcApiOptions {
  /** RPC name → handler of dapr.proto.runtime.v1.Dapr, from each building block's handler module. */
  handlers: Record<string, UnaryHandler | ((call: never) => void)>;
  maxMessageBytes: number;
  logger: Logger;
  guard: CallGuard;
  /** Who answers for the building blocks this sidecar does not serve. */
  unserved: UnservedContext;
  /** Sees every finished unary call (metrics); the one per-call observation point of this transport. */
  observer?: GrpcObserver;
}

export interface GrpcObserver {
  grpcCall(method: string, code: number, ms: number): void;
}

/** The Dapr gRPC API server. Handlers only decode, call a core and encode; errors map in errors/grpc.ts. */
export function buildGrpcApi(o: GrpcApiOptions): Server {
  const server = new Server(grpcServerOptions(o.maxMessageBytes));
  const dapr = serviceByName('dapr.proto.runtime.v1.Dapr');
  const declared = Object.keys(dapr.service);
  // Declared in dapr.proto but not wired to a handler: answered by name, like the blocks we lack.
  const notWired = Object.fromEntries(declared.filter((n) => !(n in o.handlers)).map((n) => [n, dapr.service[n]]));
  const unimplemented = unimplementedService(notWired, o.unserved, o.guard);
  const implemented = Object.fromEntries(
    declared.filter((n) => n in o.handlers).map((n) => {
      const d = dapr.service[n];
      const unaryCall = !d.requestStream && !d.responseStream;
      if (!unaryCall) return [n, o.handlers[n]];
      // Unary RPCs get a span each (streams carry many messages and no span, as in daprd).
      const traced = traceGrpcApi(n, o.handlers[n] as UnaryHandler);
      return [n, o.observer ? observed(d.path, traced, o.observer) : traced];
    }),
  );
  server.addService(Object.fromEntries(declared.filter((n) => n in o.handlers).map((n) => [n, dapr.service[n]])), implemented as UntypedServiceImplementation);
  server.addService(unimplemented.definition, unimplemented.implementation);
  return server;
}

/** Binds every listen address on one port; resolves with the port (useful when 0 was asked for). */
export async function listenGrpc(server: Server, addresses: readonly string[], port: number, creds: ServerCredentials = ServerCredentials.createInsecure()): Promise<number> {
  let bound = port;
  for (const host of addresses) {
    const target = host.includes(':') ? `[${host}]:${bound}` : `${host}:${bound}`;
    bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(target, creds, (err, p) => (err ? reject(err) : resolve(p))),
    );
  }
  return bound;
}

function observed(path: string, handler: UnaryHandler, observer: GrpcObserver): UnaryHandler {
  return (call, callback) => {
    const started = performance.now();
    handler(call, (err, ...rest) => {
      observer.grpcCall(path, err ? ((err as { code?: number }).code ?? 2) : 0, performance.now() - started);
      callback(err, ...rest);
    });
  };
}
