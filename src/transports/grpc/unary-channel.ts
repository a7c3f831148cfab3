import http2 from 'node:http2';
import { GrpcCode } from '../../errors/grpc-code.js';
import { frame, FRAME_HEADER_BYTES, unframe } from './grpc-framing.js';

const CODE_NAMES = Object.fromEntries(Object.entries(GrpcCode).map(([name, code]) => [code, name])) as Record<number, string>;
/** What a call fails with when the answer has no gRPC status, by HTTP status (the gRPC HTTP/2 mapping). */
const CODE_FROM_HTTP: Record<number, number> = { 400: GrpcCode.INTERNAL, 401: GrpcCode.UNAUTHENTICATED, 403: GrpcCode.PERMISSION_DENIED, 404: GrpcCode.UNIMPLEMENTED, 429: GrpcCode.UNAVAILABLE, 502: GrpcCode.UNAVAILABLE, 503: GrpcCode.UNAVAILABLE, 504: GrpcCode.UNAVAILABLE };

/** A failed gRPC call, shaped as grpc-js reports one: numeric `code`, `details`, message "<code> <NAME>: <details>". */
export class GrpcCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${CODE_NAMES[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/**
 * Unary gRPC calls to one address over one HTTP/2 connection, made again after it closes. This is all a
 * sidecar-to-sidecar call with its body in memory needs; grpc-js's call machinery (interceptors,
 * filters, service config, credentials) costs about 75 µs of CPU more per call.
 */
export class UnaryChannel {
  #session?: http2.ClientHttp2Session;

  /** `tls`: options for each new connection (mTLS: read anew so a renewed certificate is used). */
  constructor(
    private readonly address: string,
    private readonly maxMessageBytes: number,
    private readonly tls?: () => http2.SecureClientSessionOptions,
  ) {}

  /** `metadata`: extra request headers (gRPC metadata), such as the trace context. */
  call(path: string, message: Buffer, metadata?: Record<string, string>): Promise<Buffer> {
    if (message.length > this.maxMessageBytes) {
      return Promise.reject(new GrpcCallError(GrpcCode.RESOURCE_EXHAUSTED, `Sent message larger than max (${message.length} vs. ${this.maxMessageBytes})`));
    }
    return new Promise<Buffer>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.#connection().request({ ...metadata, ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
      } catch (err) {
        return reject(new GrpcCallError(GrpcCode.UNAVAILABLE, `connection to ${this.address} failed: ${(err as Error).message}`));
      }
      const chunks: Buffer[] = [];
      let received = 0;
      let httpStatus = 0;
      let grpcStatus: number | undefined;
      let grpcMessage = '';
      let failure: GrpcCallError | undefined;
      const takeStatus = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] === undefined) return;
        grpcStatus = Number(h['grpc-status']);
        grpcMessage = decodeGrpcMessage(h['grpc-message']);
      };
      stream.on('response', (h) => {
        httpStatus = Number(h[':status']);
        takeStatus(h); // a trailers-only answer carries its status here
      });
      stream.on('trailers', takeStatus);
      stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > this.maxMessageBytes + FRAME_HEADER_BYTES) {
          failure ??= new GrpcCallError(GrpcCode.RESOURCE_EXHAUSTED, `Received message larger than max (${received - FRAME_HEADER_BYTES} vs. ${this.maxMessageBytes})`);
          stream.close(http2.constants.NGHTTP2_CANCEL);
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (err) => {
        failure ??= new GrpcCallError(GrpcCode.UNAVAILABLE, `connection to ${this.address} failed: ${err.message}`);
      });
      stream.on('close', () => {
        if (failure) return reject(failure);
        if (grpcStatus === undefined) {
          const code = httpStatus === 200 || httpStatus === 0 ? GrpcCode.UNAVAILABLE : (CODE_FROM_HTTP[httpStatus] ?? GrpcCode.UNKNOWN);
          return reject(new GrpcCallError(code, httpStatus ? `answer without a gRPC status (HTTP ${httpStatus})` : `stream closed with code ${stream.rstCode}`));
        }
        if (grpcStatus !== GrpcCode.OK) return reject(new GrpcCallError(grpcStatus, grpcMessage));
        try {
          resolve(unframe(Buffer.concat(chunks, received), 'answer'));
        } catch (err) {
          reject(new GrpcCallError(GrpcCode.INTERNAL, (err as Error).message));
        }
      });
      stream.end(frame(message));
    });
  }

  close(): void {
    this.#session?.close();
    this.#session = undefined;
  }

  #connection(): http2.ClientHttp2Session {
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = this.tls
      ? http2.connect(`https://${this.address}`, { maxSessionMemory: 64, ...this.tls() })
      : http2.connect(`http://${this.address}`, { maxSessionMemory: 64 });
    const forget = () => {
      if (this.#session === session) this.#session = undefined;
    };
    // Stream errors report a failed connection; this only keeps a session error from going unhandled.
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    session.unref();
    this.#session = session;
    return session;
  }
}

/** grpc-message is percent-encoded on the wire. */
function decodeGrpcMessage(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
