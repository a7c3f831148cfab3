import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

// Requests no route sees (refused by Node's parser or by the router) still answer in Dapr's
// {"errorCode","message"} shape, with daprd 1.17.0's statuses (recorded): 431 for a request line and
// headers over 8 KiB, 400 for a bad %-escape or bytes that are not HTTP, 400 after 10 s for headers
// sent a byte at a time, 404 ERR_DIRECT_INVOKE for CONNECT.
let mecha: MechaProcess;

beforeAll(async () => {
  mecha = await startMecha(['--app-id', 'hostile', '--resources-path', resourcesDir({ 'c.yaml': component('statestore', 'state.in-memory') })]);
});
afterAll(async () => {
  await mecha?.stop();
});

/** Writes raw bytes (optionally one byte per `trickleMs`) and collects the answer until the server closes. */
function raw(port: number, request: string, trickleMs = 0, limitMs = 30_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (closed: boolean) => {
      clearInterval(timer);
      clearTimeout(limit);
      socket.destroy();
      resolve({ text, closed });
    };
    const limit = setTimeout(() => done(false), limitMs);
    socket.on('data', (d) => (text += d));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
    if (trickleMs === 0) socket.write(request);
    else {
      let i = 0;
      timer = setInterval(() => i < request.length && socket.write(request[i++]), trickleMs);
    }
  });
}

function answer(text: string): { status: number; body: { errorCode: string; message: string } } {
  const [head, body] = text.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) as { errorCode: string; message: string } };
}

describe('requests refused before any route', () => {
  it.each([
    ['a 10 KB key in the URL', `GET /v1.0/state/statestore/${'k'.repeat(10_240)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'ERR_BAD_REQUEST'],
    ['a 20 KB path', `GET /${'p'.repeat(20_480)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'ERR_BAD_REQUEST'],
    ['a 9 KB header', `GET /v1.0/metadata HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(9_000)}\r\n\r\n`, 431, 'ERR_BAD_REQUEST'],
    ['a bad %-escape', 'GET /v1.0/state/statestore/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'ERR_BAD_REQUEST'],
    ['bytes that are not HTTP', 'HELLO\r\n\r\n', 400, 'ERR_BAD_REQUEST'],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 404, 'ERR_DIRECT_INVOKE'],
  ])('%s answers in Dapr’s shape with daprd’s status', async (_name, request, status, errorCode) => {
    const res = await raw(mecha.httpPort, request);
    expect(res.closed).toBe(true);
    expect(answer(res.text)).toMatchObject({ status, body: { errorCode, message: expect.any(String) } });
  });

  it('a second listen address has the same limits', async () => {
    const both = await startMecha(['--app-id', 'hostile-v6', '--dapr-listen-addresses', '127.0.0.1,::1']);
    try {
      const res = await new Promise<string>((resolve) => {
        let text = '';
        const socket = connect(both.httpPort, '::1');
        socket.on('data', (d) => (text += d)).on('close', () => resolve(text)).on('error', () => resolve(text));
        socket.write(`GET /v1.0/state/statestore/${'k'.repeat(10_240)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      });
      expect(answer(res)).toMatchObject({ status: 431, body: { errorCode: 'ERR_BAD_REQUEST' } });
    } finally {
      await both.stop();
    }
  });

  it('an 8,000-byte key is still served, as by daprd', async () => {
    const res = await fetch(`${mecha.url}/v1.0/state/statestore/${'k'.repeat(8_000)}`);
    expect(res.status).toBe(204);
  });

  it('unknown routes, wrong methods and malformed bodies answer in Dapr’s shape', async () => {
    const cases: Array<[string, RequestInit, number, string]> = [
      ['/v1.0/nope', {}, 404, 'ERR_DIRECT_INVOKE'],
      ['/v1.0/state/statestore', { method: 'PATCH' }, 404, 'ERR_DIRECT_INVOKE'],
      ['/v1.0/state/statestore', { method: 'POST', body: '{bad', headers: { 'content-type': 'application/json' } }, 400, 'ERR_MALFORMED_REQUEST'],
      ['/v1.0/state/statestore', { method: 'POST', body: '[]', headers: { 'content-type': 'text/xml' } }, 204, ''],
      ['/v1.0/state/statestore', { method: 'POST', body: 'x'.repeat(5 * 1024 * 1024) }, 413, 'ERR_BODY_READ'],
    ];
    for (const [path, init, status, errorCode] of cases) {
      const res = await fetch(`${mecha.url}${path}`, init);
      expect(res.status, path).toBe(status);
      if (errorCode) expect(((await res.json()) as { errorCode: string }).errorCode).toBe(errorCode);
    }
  });

  it('a client sending its headers a byte a second is answered 400 and cut off (daprd: after 10 s)', async () => {
    const started = Date.now();
    const res = await raw(mecha.httpPort, `GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(60)}`, 1_000, 40_000);
    expect(res.closed).toBe(true);
    expect(answer(res.text)).toMatchObject({ status: 400, body: { errorCode: 'ERR_BAD_REQUEST' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
  }, 60_000);

  it('a connection that sends nothing is closed without an answer (daprd: after 10 s)', async () => {
    const started = Date.now();
    const res = await raw(mecha.httpPort, '', 0, 40_000);
    expect(res).toEqual({ text: '', closed: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
  }, 60_000);
});
