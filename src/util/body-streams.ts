import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Helpers for bodies carried as streams of chunks. */

export async function* noBody(): AsyncIterable<Buffer> {}

export async function* bufferBody(b: Buffer): AsyncIterable<Buffer> {
  if (b.length > 0) yield b;
}

/** Reads a whole body, refusing more than `limit` bytes. */
export async function readAll(body: AsyncIterable<Buffer>, limit = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > limit) throw new Error(`body larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/**
 * Writes a body into an outgoing request and ends it, honouring backpressure; a failing body destroys
 * the request. (stream.pipeline does the same but allocates an AbortController and a DOMException per
 * call, which shows up under load.)
 */
export async function writeBody(out: Writable, body: AsyncIterable<Buffer>): Promise<void> {
  try {
    for await (const chunk of body) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
  } catch (err) {
    out.destroy(err as Error);
  }
}
