import type { Readable } from 'node:stream';
import { Errors } from '../../errors/codes.js';
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

export function tooLarge(limit: number): SidecarError {
  return new SidecarError(Errors.RequestTooLarge, `request body is larger than ${limit} bytes (set --max-body-size to raise the limit)`);
}

/** The sidecar-wide budget when none is given: 64 MiB, or two bodies of the largest size allowed. */
export function defaultBodyBudget(maxBodyBytes: number): number {
  return Math.max(64 * 1024 * 1024, 2 * maxBodyBytes);
}

/**
 * The request bodies the HTTP API reads into memory, under two limits: each body's size (413 beyond it)
 * and the bytes of all bodies being read at once. Each body per se is bounded, but a thousand slow clients
 * each trickling a large one would make the sidecar hold all of them; past the shared budget a new body
 * is refused with 503 (before it is read when its length is declared), which callers may retry.
 */
export class RequestBodies {
  #held = 0;

  constructor(
    readonly maxBodyBytes: number,
    readonly budgetBytes = defaultBodyBudget(maxBodyBytes),
    /** Sees each body refused for want of budget (metrics). */
    readonly onShed: () => void = () => {},
  ) {}

  /**
   * Reads a whole body (events, not an async iterator: this runs for every request with a body). Its
   * budget is taken as it arrives, all of it up front when the length is declared, and given back once read.
   */
  read(body: Readable, declaredLength?: number): Promise<Buffer> {
    if (declaredLength !== undefined && declaredLength > this.maxBodyBytes) return refuseAfterDrain(body, tooLarge(this.maxBodyBytes));
    let taken = 0;
    const take = (bytes: number): SidecarError | undefined => {
      if (this.#held + bytes > this.budgetBytes) {
        this.onShed();
        return new SidecarError(Errors.BodyBudgetExhausted, `the sidecar is already reading ${this.#held} bytes of request bodies (limit ${this.budgetBytes}); retry later`);
      }
      this.#held += bytes;
      taken += bytes;
      return undefined;
    };
    const refused = declaredLength ? take(declaredLength) : undefined;
    if (refused) return Promise.reject(refused);
    if (body.readableEnded) return this.#done(taken, Buffer.alloc(0));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const settle = (err?: Error | null) => {
        body.off('data', onData).off('end', settle).off('error', settle).off('close', onClose);
        this.#held -= taken;
        if (err) refuseAfterDrain(body, err).catch(reject);
        else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
        if (size > this.maxBodyBytes) return settle(tooLarge(this.maxBodyBytes));
        if (size > taken) {
          const err = take(size - taken);
          if (err) settle(err);
        }
      };
      const onClose = () => settle(body.errored ?? new Error('the body stream closed before its end'));
      body.on('data', onData).on('end', settle).on('error', settle).on('close', onClose);
    });
  }

  #done(taken: number, b: Buffer): Promise<Buffer> {
    this.#held -= taken;
    return Promise.resolve(b);
  }
}

/** Longest a refused body is read and discarded before the refusal is sent anyway (and the connection closed). */
const DRAIN_MS = 2_000;

/**
 * Rejects with `err` once the rest of a refused body has been read and thrown away (at most DRAIN_MS). An
 * answer sent while the client is still sending makes Node close the connection under it, and the client
 * then sees a broken pipe instead of the answer.
 */
function refuseAfterDrain(body: Readable, err: Error): Promise<never> {
  return new Promise((_, reject) => {
    if (body.readableEnded || body.destroyed) return reject(err);
    const done = () => {
      clearTimeout(timer);
      body.off('end', done).off('close', done).off('error', done);
      reject(err);
    };
    const timer = setTimeout(done, DRAIN_MS);
    body.on('end', done).on('close', done).on('error', done).resume();
  });
}

/** The body length a request declares (`Content-Length`), or undefined when it is streamed. */
export function declaredLength(headers: { 'content-length'?: string }): number | undefined {
  const length = headers['content-length'];
  return length === undefined ? undefined : Number(length);
}
