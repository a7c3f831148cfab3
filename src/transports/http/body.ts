import type { IncomingMessage } from 'node:http';
import { Errors } from '../../errors/codes.js';
import { readAll } from '../../util/body-streams.js';
import { SidecarError } from '../../errors/sidecar-error.js';

/** The request body, failing with 413 once it passes the limit (streamed bodies have no length up front). */
export async function* limitBody(body: AsyncIterable<Buffer>, limit: number): AsyncIterable<Buffer> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    yield chunk;
  }
}

/** A body announced by Content-Length: refused before reading when over the limit, as fastify does for parsed bodies. */
export function readDeclaredBody(raw: IncomingMessage, contentLength: number, limit: number): Promise<Buffer> {
  if (contentLength > limit) return Promise.reject(tooLarge(limit));
  return readAll(raw); // Node's parser never delivers more than the declared length
}

export function tooLarge(limit: number): SidecarError {
  return new SidecarError(Errors.RequestTooLarge, `request body is larger than ${limit} bytes (set --max-body-size to raise the limit)`);
}
