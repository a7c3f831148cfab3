import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { TLSSocket } from 'node:tls';
import type { Server, ServiceError } from '@grpc/grpc-js';
import { GrpcCode } from '../../errors/grpc-code.js';
import type { PeerAuth } from './peer-security.js';
import { frame, FRAME_HEADER_BYTES, unframe } from './grpc-framing.js';

/** What grpc-js answers with (its defaults), so a call served here looks the same on the wire. */
const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc+proto', 'grpc-accept-encoding': 'identity,deflate,gzip', 'grpc-encoding': 'identity' };
const OK_TRAILERS = { 'grpc-status': '0', 'grpc-message': 'OK' };

/** A unary call as the handler sees it: the request message's bytes and its caller. */
export interface DirectCall {
  message: Buffer;
  /** The request's HTTP/2 headers (its metadata, binary values base64-encoded). */
  headers: IncomingHttpHeaders;
  auth: PeerAuth;
}

/** Resolves with the response message's bytes; rejects with a gRPC status (`code`, `details`, `metadata`). */
export type DirectHandler = (call: DirectCall) => Promise<Buffer>;

type StreamHandler = (this: Server, interceptors: unknown[], stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;

/**
 * Serves the unary method `path` of `server` straight off its HTTP/2 streams, before grpc-js's call
 * machinery (interceptors, metadata objects, per-call emitters), which is about a fifth of what the
 * callee allocates for a sidecar-to-sidecar call. Calls it would treat differently — deadlines, compression,
 * credential interceptors — still go to grpc-js. Must run before the server binds.
 */
export function serveUnaryDirectly(server: Server, path: string, handler: DirectHandler, maxMessageBytes: number): void {
  // grpc-js has no such hook: it binds one of these methods (with channelz on or off) to each HTTP/2 server it binds.
  const internals = server as unknown as Record<'_streamHandler' | '_channelzHandler', StreamHandler | undefined> & { onStreamOpened?: (stream: ServerHttp2Stream) => void };
  for (const name of ['_streamHandler', '_channelzHandler'] as const) {
    const original = internals[name];
    if (typeof original !== 'function') throw new Error('this @grpc/grpc-js version has no stream handler to serve unary calls directly');
    internals[name] = function (interceptors, stream, headers) {
      if (headers[':path'] !== path || interceptors.length > 0 || !plainUnary(headers)) return original.call(this, interceptors, stream, headers);
      internals.onStreamOpened?.call(this, stream); // grpc-js's idle-connection bookkeeping
      serve(stream, headers, handler, maxMessageBytes);
    };
  }
}

function plainUnary(h: IncomingHttpHeaders): boolean {
  const type = h['content-type'];
  const encoding = h['grpc-encoding'];
  return typeof type === 'string' && type.startsWith('application/grpc') && h['grpc-timeout'] === undefined && (encoding === undefined || encoding === 'identity');
}

function serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, handler: DirectHandler, maxMessageBytes: number): void {
  stream.on('error', () => undefined); // a reset stream also closes; nothing is left to answer
  const chunks: Buffer[] = [];
  let received = 0;
  let refused = false;
  stream.on('data', (chunk: Buffer) => {
    if (refused) return;
    received += chunk.length;
    if (received > maxMessageBytes + FRAME_HEADER_BYTES) {
      refused = true;
      fail(stream, { code: GrpcCode.RESOURCE_EXHAUSTED, details: `Received message larger than max (${received - FRAME_HEADER_BYTES} vs ${maxMessageBytes})` });
      return;
    }
    chunks.push(chunk);
  });
  stream.on('end', () => {
    if (refused) return;
    let message: Buffer;
    try {
      message = unframe(Buffer.concat(chunks, received), 'request');
    } catch (err) {
      return fail(stream, { code: GrpcCode.INTERNAL, details: (err as Error).message });
    }
    handler({ message, headers, auth: authOf(stream) }).then(
      (response) => answer(stream, response, maxMessageBytes),
      (err: Partial<ServiceError>) => fail(stream, err),
    );
  });
}

function answer(stream: ServerHttp2Stream, response: Buffer, maxMessageBytes: number): void {
  if (stream.destroyed || stream.closed) return;
  if (response.length > maxMessageBytes) {
    return fail(stream, { code: GrpcCode.RESOURCE_EXHAUSTED, details: `Sent message larger than max (${response.length + FRAME_HEADER_BYTES} vs. ${maxMessageBytes})` });
  }
  stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers(OK_TRAILERS));
  stream.end(frame(response));
}

/** A trailers-only answer, as grpc-js sends a failed call's status. */
function fail(stream: ServerHttp2Stream, err: Partial<ServiceError>): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const code = typeof err.code === 'number' && Number.isInteger(err.code) ? err.code : GrpcCode.UNKNOWN;
  const details = typeof err.code === 'number' && typeof err.details === 'string' ? err.details : (err.message ?? 'Unknown Error');
  const trailers = { 'grpc-status': String(code), 'grpc-message': encodeURI(details), ':status': 200, 'content-type': 'application/grpc+proto', ...err.metadata?.toHttp2Headers() };
  stream.respond(trailers, { endStream: true });
}

/** grpc-js's AuthContext: the peer certificate of a verified TLS connection. */
function authOf(stream: ServerHttp2Stream): PeerAuth {
  const socket = stream.session?.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return {};
  const cert = socket.getPeerCertificate();
  return { transportSecurityType: 'ssl', sslPeerCertificate: cert.raw ? cert : undefined };
}
