import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RequestBodies } from '../../src/transports/http/body.js';

const chunks = (...sizes: number[]) => Readable.from(sizes.map((n) => Buffer.alloc(n, 1)));

describe('request bodies under a shared budget', () => {
  it('reads bodies within both limits and gives their budget back once read', async () => {
    const bodies = new RequestBodies(100, 150);
    expect((await bodies.read(chunks(60, 40), 100)).length).toBe(100);
    expect((await bodies.read(chunks(100))).length).toBe(100);
  });

  it('refuses a body over the per-request limit with 413, declared or streamed', async () => {
    const bodies = new RequestBodies(100, 1000);
    await expect(bodies.read(chunks(10), 101)).rejects.toMatchObject({ kind: { http: 413, code: 'ERR_BODY_READ' } });
    await expect(bodies.read(chunks(60, 60))).rejects.toMatchObject({ kind: { http: 413 } });
  });

  it('refuses with 503 a body that would pass the budget while others are being read, and counts it', async () => {
    let shed = 0;
    const bodies = new RequestBodies(100, 150, () => shed++);
    const slow = new PassThrough();
    const first = bodies.read(slow, 100); // declared: its 100 bytes are taken at once
    await expect(bodies.read(chunks(10), 60)).rejects.toMatchObject({ kind: { http: 503, code: 'ERR_BODY_READ' } });
    await expect(bodies.read(chunks(30, 30))).rejects.toMatchObject({ kind: { http: 503 } }); // streamed: refused on the chunk past the budget
    expect(shed).toBe(2);
    slow.end(Buffer.alloc(100));
    expect((await first).length).toBe(100);
    expect((await bodies.read(chunks(100), 100)).length).toBe(100);
  });
});
