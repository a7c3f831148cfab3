import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Errors } from '../../errors/codes.js';
import { toHttpError } from '../../errors/http.js';
import { SidecarError } from '../../errors/sidecar-error.js';

/**
 * Limits of the HTTP API's Node server, set where daprd's Go server has them:
 * - request line + headers up to `--read-buffer-size` plus 4 KiB (8 KiB by default: Go's MaxHeaderBytes
 *   plus the 4 KiB it reads ahead), 431 beyond;
 * - headers received within 10 s (daprd's ReadHeaderTimeout), else 400 and the connection closes;
 * - the whole request within 5 minutes: daprd has no body timeout, but a body trickled a byte at a
 *   time would otherwise hold its connection and memory for ever (bodies are capped at 4 MiB by default);
 * - a connection that sends nothing within those 10 s is closed without an answer, as daprd closes it
 *   (Node's header timeout only starts with the first byte);
 * - an idle keep-alive connection closes after 72 s (daprd keeps it for ever; 72 s outlasts the 60 s of
 *   common proxies and clients, so they close first and never reuse a socket being closed);
 * - at most 10,000 open connections; more are refused at accept.
 */
export function httpServerOptions(maxHeaderSize = 8 * 1024): ServerOptions & { requestTimeout: number; keepAliveTimeout: number } {
  return {
    maxHeaderSize,
    headersTimeout: HEADERS_TIMEOUT_MS,
    keepAliveTimeout: 72_000,
    requestTimeout: 300_000,
    // How often Node checks both timeouts (its default, 30 s, would let a slow client linger 40 s).
    connectionsCheckingInterval: 1_000,
  };
}
export const MAX_CONNECTIONS = 10_000;
const HEADERS_TIMEOUT_MS = 10_000;

/** Closes a connection that has sent no byte within the header timeout (bytes sent slowly are Node's to time out, with a 400). */
function closeIfSilent(socket: Socket): void {
  setTimeout(() => {
    if (socket.bytesRead === 0 && !socket.destroyed) socket.destroy();
  }, HEADERS_TIMEOUT_MS).unref();
}

export function noTargetAppId(): SidecarError {
  return new SidecarError(Errors.DirectInvokeNoAppId, 'failed getting app id either from the URL path or the header dapr-app-id');
}

/** An HTTP/1.1 error answer written straight to a socket, in daprd's `{"errorCode","message"}` shape. */
function writeError(socket: Duplex, err: SidecarError, status = err.kind.http): void {
  if (!socket.writable) return;
  const body = JSON.stringify(toHttpError(err).body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Requests Node's parser refuses before any route sees them (headers too large or too slow, bytes that
 * are not HTTP): daprd's statuses, Dapr's body shape, then the connection closes.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    writeError(socket, new SidecarError(Errors.HeadersTooLarge, 'request line and headers are larger than the read buffer (--read-buffer-size)'));
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    writeError(socket, new SidecarError(Errors.BadRequest, 'the request was not received in time (headers within 10 s, the whole request within 5 min)'));
  } else {
    writeError(socket, new SidecarError(Errors.BadRequest, `malformed HTTP request (${err.code ?? err.message})`));
  }
  socket.destroy();
}

/** `CONNECT` never reaches a route in Node; daprd treats it like any unmatched request: no app-id, 404. */
function answerConnect(_req: IncomingMessage, socket: Duplex): void {
  writeError(socket, noTargetAppId());
}

/** Applies the limits to fastify's server (built with httpServerOptions and answerClientError). */
export function guardServer(server: Server): void {
  server.maxConnections = MAX_CONNECTIONS;
  server.on('connection', closeIfSilent);
  server.on('connect', answerConnect);
}

/** A server for one more listen address, with the same limits as fastify's. */
export function createGuardedServer(handler: RequestListener, maxHeaderSize?: number): Server {
  const options = httpServerOptions(maxHeaderSize);
  const server = createServer(options, handler);
  server.requestTimeout = options.requestTimeout;
  server.keepAliveTimeout = options.keepAliveTimeout;
  server.on('clientError', answerClientError);
  guardServer(server);
  return server;
}
