import { once } from 'node:events';
import { ClientRequest } from 'node:http';
import { Readable, type Writable } from 'node:stream';

/** Helpers for bodies carried as streams of chunks. */

export async function* noBody(): AsyncIterable<Buffer> {}

export async function* bufferBody(b: Buffer): AsyncIterable<Buffer> {
  if (b.length > 0) yield b;
}

/** Reads a whole body, refusing more than `limit` bytes. */
export async function readAll(body: AsyncIterable<Buffer>, limit = Infinity): Promise<Buffer> {
  if (body instanceof Readable) return readStream(body, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > limit) throw new Error(`body larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** readAll for a Node stream, with plain events: an async iterator per body shows under load. */
function readStream(stream: Readable, limit: number): Promise<Buffer> {
  if (stream.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (stream.destroyed) return Promise.reject(stream.errored ?? new Error('the body stream was closed before it was read'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (err?: Error | null) => {
      stream.off('data', onData).off('end', settle).off('error', settle).off('close', onClose);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= limit) return;
      const err = new Error(`body larger than ${limit} bytes`);
      stream.destroy(err);
      settle(err);
    };
    const onClose = () => settle(stream.errored ?? new Error('the body stream closed before its end'));
    stream.on('data', onData).on('end', settle).on('error', settle).on('close', onClose);
  });
}

/**
 * Writes a body into an outgoing request and ends it, honouring backpressure; a failing body destroys
 * the request. (stream.pipeline does the same but allocates an AbortController and a DOMException per
 * call, which shows up under load.)
 */
export async function writeBody(out: Writable, body: AsyncIterable<Buffer>): Promise<void> {
  try {
    let framed = false;
    for await (const chunk of body) {
      // Node chunks POST, PUT and PATCH bodies of unknown length by itself, but would send a DELETE,
      // OPTIONS or GET body unframed (the receiver then fails to parse it): chunk it explicitly.
      if (!framed && out instanceof ClientRequest && !out.headersSent && !out.hasHeader('content-length')) out.setHeader('transfer-encoding', 'chunked');
      framed = true;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
  } catch (err) {
    out.destroy(err as Error);
  }
}
