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
