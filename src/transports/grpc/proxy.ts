import { Client, credentials, Metadata, status, type ChannelCredentials, type ChannelOptions, type Server, type ServerDuplexStream } from '@grpc/grpc-js';
import { toGrpcError } from '../../errors/grpc.js';
import { checkToken, type CallGuard } from './handler.js';
import { grpcOptions } from './channel-options.js';
import type { PeerAuth } from './peer-security.js';

/** Where to send a proxied call, with the metadata to send it with and, for mTLS, the channel to use. */
export type ProxyDirector = (method: string, metadata: Metadata, peer: PeerAuth) => Promise<{ address: string; metadata: Metadata; secure?: SecureChannel }>;

/** A TLS channel to the target: `key` tells channels to different identities at one address apart. */
export interface SecureChannel {
  key: string;
  credentials: ChannelCredentials;
  options: ChannelOptions;
}

const IDENTITY = (b: Buffer) => b;
/** Set by the HTTP/2 layer of each hop, never relayed. */
const HOP_HEADERS = ['content-type', 'user-agent', 'te', 'host', 'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'dapr-api-token'];

/**
 * Serves every method the server has no handler for by relaying it, frame for frame, to wherever the
 * director says (daprd's gRPC proxy): the messages stay opaque bytes, so unary and streaming calls of
 * any service pass through alike, with headers, trailers, status and deadline.
 */
export function proxyUnknownMethods(server: Server, director: ProxyDirector, maxMessageBytes: number, guard: CallGuard = {}): { close(): void } {
  const clients = new Map<string, Client>();
  const clientFor = (address: string, secure?: SecureChannel) => {
    const key = secure ? `${address} ${secure.key}` : address;
    let client = clients.get(key);
    if (!client) {
      client = secure
        ? new Client(address, secure.credentials, { ...grpcOptions(maxMessageBytes), ...secure.options })
        : new Client(address, credentials.createInsecure(), grpcOptions(maxMessageBytes));
      clients.set(key, client);
    }
    return client;
  };
  const relay = (call: ServerDuplexStream<Buffer, Buffer>) => {
    const denied = checkToken(guard, call.metadata);
    if (denied) return void call.emit('error', denied);
    const method = call.getPath();
    const incoming = call.metadata.clone();
    for (const h of HOP_HEADERS) incoming.remove(h);
    director(method, incoming, call.getAuthContext()).then(
      ({ address, metadata, secure }) => {
        const deadline = call.getDeadline();
        const upstream = clientFor(address, secure).makeBidiStreamRequest(method, IDENTITY, IDENTITY, metadata, Number.isFinite(deadline) ? { deadline } : {});
        upstream.on('metadata', (md: Metadata) => call.sendMetadata(md));
        upstream.on('data', (chunk: Buffer) => call.write(chunk));
        upstream.on('error', () => undefined); // the status event below carries it
        upstream.on('status', (s) => {
          if (s.code === status.OK) call.end(s.metadata);
          else call.emit('error', { code: s.code, details: s.details, metadata: s.metadata });
        });
        call.on('data', (chunk: Buffer) => upstream.write(chunk));
        call.on('end', () => upstream.end());
        call.on('cancelled', () => upstream.cancel());
      },
      (err: unknown) => call.emit('error', toGrpcError(err)),
    );
  };
  // grpc-js has no unknown-service hook; its handler lookup is the one place every call passes through.
  const internals = server as unknown as { _retrieveHandler?: (path: string) => unknown };
  const lookup = internals._retrieveHandler;
  if (typeof lookup !== 'function') throw new Error('this @grpc/grpc-js version offers no handler lookup to proxy unknown methods');
  internals._retrieveHandler = function (this: Server, path: string) {
    return lookup.call(this, path) ?? { func: relay, serialize: IDENTITY, deserialize: IDENTITY, type: 'bidi', path };
  };
  return { close: () => clients.forEach((c) => c.close()) };
}
