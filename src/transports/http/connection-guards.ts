import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerOptions } from 'node:http';
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
 * - at most 10,000 open connections; more are refused at accept.
 */
export function httpServerOptions(maxHeaderSize = 8 * 1024): ServerOptions & { requestTimeout: number } {
  return {
    maxHeaderSize,
    headersTimeout: 10_000,
    requestTimeout: 300_000,
    // How often Node checks both timeouts (its default, 30 s, would let a slow client linger 40 s).
    connectionsCheckingInterval: 1_000,
  };
}
export const MAX_CONNECTIONS = 10_000;

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
  server.on('connect', answerConnect);
}

/** A server for one more listen address, with the same limits as fastify's. */
export function createGuardedServer(handler: RequestListener, maxHeaderSize?: number): Server {
  const options = httpServerOptions(maxHeaderSize);
  const server = createServer(options, handler);
  server.requestTimeout = options.requestTimeout;
  server.on('clientError', answerClientError);
  guardServer(server);
  return server;
}
