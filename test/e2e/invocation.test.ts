import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Metadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';

const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
// Every sidecar of this file shares one private name registry (the default lives under $HOME).
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const cwd = mkdtempSync(join(tmpdir(), 'mecha-inv-'));

interface Echo {
  app: string;
  pid: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyLength: number;
  body?: string;
}

async function appWithSidecar(appId: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<MechaProcess> {
  const appPort = await freePort();
  return startMecha(['--app-id', appId, '--app-port', String(appPort), ...extra, '--', process.execPath, ECHO_APP], {
    cwd,
    env: { HOME, ...env },
    readyPath: '/v1.0/healthz',
  });
}

let caller: MechaProcess;
let callee: MechaProcess;

beforeAll(async () => {
  [caller, callee] = await Promise.all([appWithSidecar('caller'), appWithSidecar('callee')]);
});

afterAll(async () => {
  await Promise.all([caller?.stop(), callee?.stop()]);
  rmSync(HOME, { recursive: true, force: true });
});

describe('service invocation between sidecars', () => {
  it('relays verb, path, query, body and headers, and stamps the caller and callee', async () => {
    const res = await fetch(`${caller.url}/v1.0/invoke/callee/method/orders/42?expand=true`, {
      method: 'PUT',
      body: 'payload',
      headers: { 'content-type': 'text/plain', 'x-custom': 'kept', 'dapr-caller-app-id': 'spoofed' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-echo-app')).toBe('callee');
    const echo = (await res.json()) as Echo;
    expect(echo).toMatchObject({ app: 'callee', method: 'PUT', url: '/orders/42?expand=true', body: 'payload' });
    expect(echo.headers).toMatchObject({ 'x-custom': 'kept', 'dapr-caller-app-id': 'caller', 'dapr-callee-app-id': 'callee', 'content-type': 'text/plain' });
    expect(echo.headers.forwarded).toContain('for=127.0.0.1');
    expect(echo.headers['dapr-api-token']).toBeUndefined();
    // A body with a length reaches the app with that length, as daprd sends it (servers that need one read it).
    expect(echo.headers['content-length']).toBe('7');
    expect(echo.headers['transfer-encoding']).toBeUndefined();
  });

  it('accepts the dapr-app-id header and Basic auth forms on any path', async () => {
    const byHeader = (await (await fetch(`${caller.url}/some/path`, { headers: { 'dapr-app-id': 'callee' } })).json()) as Echo;
    expect(byHeader).toMatchObject({ app: 'callee', url: '/some/path' });
    expect(byHeader.headers['dapr-app-id']).toBeUndefined();
    const basic = Buffer.from('dapr-app-id:callee').toString('base64');
    const byAuth = (await (await fetch(`${caller.url}/other`, { headers: { authorization: `Basic ${basic}` } })).json()) as Echo;
    expect(byAuth).toMatchObject({ app: 'callee', url: '/other' });
  });

  it('relays the callee status and body verbatim, and invokes its own app', async () => {
    const res = await fetch(`${caller.url}/v1.0/invoke/callee/method/status/418`);
    expect(res.status).toBe(418);
    expect(((await res.json()) as Echo).url).toBe('/status/418');
    const self = (await (await fetch(`${caller.url}/v1.0/invoke/caller/method/me`, { method: 'POST', body: '{"a":1}' })).json()) as Echo;
    expect(self).toMatchObject({ app: 'caller', url: '/me', body: '{"a":1}' });
    expect(self.headers['content-length']).toBe('7');
    expect(self.headers['dapr-caller-app-id']).toBe('caller');
  });

  it('reaches <app-id>.<namespace> in self-hosted mode, where resolvers ignore the namespace (as daprd)', async () => {
    for (const id of ['callee.default', 'callee.other']) {
      const res = await fetch(`${caller.url}/v1.0/invoke/${id}/method/ns`, { method: 'POST' });
      expect(res.status, id).toBe(200);
      expect(((await res.json()) as Echo).app).toBe('callee');
    }
    const self = (await (await fetch(`${caller.url}/v1.0/invoke/caller.default/method/me`)).json()) as Echo;
    expect(self.app).toBe('caller');
    const viaGrpc = daprClient(caller.grpcPort);
    try {
      const res = await viaGrpc.call<{ data: { value: Buffer } }>('InvokeService', { id: 'callee.default', message: { method: 'ns', http_extension: { verb: 'POST' } } });
      expect(JSON.parse(Buffer.from(res.data.value).toString()).app).toBe('callee');
    } finally {
      viaGrpc.close();
    }
  });

  it('streams a large chunked body through both sidecars', async () => {
    const size = 3 * 1024 * 1024;
    const chunks = (async function* () {
      for (let sent = 0; sent < size; sent += 64 * 1024) yield new Uint8Array(64 * 1024).fill(7);
    })();
    const res = await fetch(`${caller.url}/v1.0/invoke/callee/method/upload`, { method: 'POST', body: chunks as unknown as RequestInit['body'], duplex: 'half' } as RequestInit);
    expect(((await res.json()) as Echo).bodyLength).toBe(size);
  });

  it('answers ERR_DIRECT_INVOKE for an unknown app-id and 404 without any target', async () => {
    const unknown = await fetch(`${caller.url}/v1.0/invoke/nobody-home/method/x`);
    expect(unknown.status).toBe(500);
    expect(await unknown.json()).toMatchObject({ errorCode: 'ERR_DIRECT_INVOKE', message: expect.stringContaining('nobody-home') });
    const none = await fetch(`${caller.url}/not/an/api`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { errorCode: string }).errorCode).toBe('ERR_DIRECT_INVOKE');
  });

  it('serves InvokeService over gRPC with the HTTP status in dapr-http-status', async () => {
    const client = daprClient(caller.grpcPort);
    try {
      const res = await client.call<{ data: { value: Buffer }; content_type: string }>('InvokeService', {
        id: 'callee',
        message: { method: 'grpc-path', data: { type_url: '', value: Buffer.from('hi') }, content_type: 'text/plain', http_extension: { verb: 'POST', querystring: 'a=1' } },
      });
      expect(JSON.parse(res.data.value.toString())).toMatchObject({ app: 'callee', url: '/grpc-path?a=1', body: 'hi' });
      const failed = await client
        .call('InvokeService', { id: 'callee', message: { method: 'status/404', http_extension: { verb: 'GET', querystring: '' } } })
        .catch((e: ServiceError) => e);
      expect((failed as ServiceError).code).toBe(grpcStatus.NOT_FOUND);
      expect(((failed as ServiceError).metadata as Metadata).get('dapr-http-status')).toEqual(['404']);
    } finally {
      client.close();
    }
  });
});

describe('replicas and health', () => {
  it('round-robins across replicas of one app-id and drops a killed one', async () => {
    const replicas = await Promise.all([appWithSidecar('replicated'), appWithSidecar('replicated'), appWithSidecar('replicated')]);
    try {
      const seen = new Set<number>();
      for (let i = 0; i < 6; i++) seen.add(((await (await fetch(`${caller.url}/v1.0/invoke/replicated/method/who`)).json()) as Echo).pid);
      expect(seen.size).toBe(3);

      replicas[0].proc.kill('SIGKILL');
      await replicas[0].exited;
      for (let i = 0; i < 6; i++) expect((await fetch(`${caller.url}/v1.0/invoke/replicated/method/who`)).status).toBe(200);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  });

  it('refuses invocations while the app is unhealthy and resumes when it recovers', async () => {
    const flag = join(cwd, 'unhealthy');
    const m = await appWithSidecar('flaky', ['--enable-app-health-check', '--app-health-probe-interval', '1', '--app-health-threshold', '1'], { HEALTH_FILE: flag });
    try {
      expect((await fetch(`${caller.url}/v1.0/invoke/flaky/method/x`)).status).toBe(200);
      writeFileSync(flag, '');
      const down = await waitForStatus(`${caller.url}/v1.0/invoke/flaky/method/x`, 500);
      expect(await down.json()).toMatchObject({ errorCode: 'ERR_DIRECT_INVOKE', message: expect.stringContaining('app is not in a healthy state') });
      rmSync(flag);
      await waitForStatus(`${caller.url}/v1.0/invoke/flaky/method/x`, 200);
    } finally {
      await m.stop();
    }
  });
});

async function waitForStatus(url: string, status: number, timeoutMs = 8000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url);
    if (res.status === status || Date.now() > deadline) return res;
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 100));
  }
}
