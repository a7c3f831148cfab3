import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { startSubscriberApp, waitFor, type SubscriberApp } from './pubsub-support.js';

const root = mkdtempSync(join(tmpdir(), 'mecha-bind-files-'));
const outside = mkdtempSync(join(tmpdir(), 'mecha-bind-outside-'));
const kafkaTopic = `bind-${randomUUID().slice(0, 8)}`;
let external: Server;
let externalUrl = '';
const seen: Array<{ method: string; url: string; body: string }> = [];
let app: SubscriberApp;
let mecha: MechaProcess;

const invoke = async (name: string, body: unknown) => {
  const res = await fetch(`${mecha.url}/v1.0/bindings/${name}`, { method: 'POST', body: JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined; // a raw body (file contents)
  }
  return { status: res.status, headers: res.headers, text, json };
};

beforeAll(async () => {
  external = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c)).on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      res.setHeader('x-from', 'external');
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('{"pong":true}');
    });
  });
  await new Promise<void>((r) => external.listen(0, '127.0.0.1', r));
  externalUrl = `http://127.0.0.1:${(external.address() as { port: number }).port}`;
  app = await startSubscriberApp({});
  const dir = resourcesDir({
    'cron.yaml': component('tick', 'bindings.cron', { schedule: '@every 1s', direction: 'input' }),
    'files.yaml': component('files', 'bindings.localstorage', { rootPath: root }),
    'redis.yaml': component('cache', 'bindings.redis', { redisHost: inject('redisAddress') }),
    'http.yaml': component('web', 'bindings.http', { url: externalUrl }),
    'kafka.yaml': component('stream', 'bindings.kafka', { brokers: inject('kafkaBrokers'), topics: kafkaTopic, publishTopic: kafkaTopic, initialOffset: 'oldest', consumerGroup: `g-${kafkaTopic}`, direction: 'input, output' }),
  });
  mecha = await startMecha(['--app-id', 'binder', '--app-port', String(app.port), '--resources-path', dir], { readyPath: '/v1.0/healthz' });
});

afterAll(async () => {
  await mecha?.stop();
  await app?.stop();
  external?.close();
});

describe('bindings end to end', () => {
  it('fires the cron binding on schedule into POST /<name>', async () => {
    const ds = await waitFor(() => app.received(), (d) => d.filter((x) => x.path === '/tick').length >= 2, 6000);
    const ticks = ds.filter((x) => x.path === '/tick');
    // Fire times come from readTimeUTC: arrival times also carry the app channel's jitter on a busy machine.
    // Each fire may itself be late by the event loop's lag, so two ticks of a 1 s schedule are at least
    // half a second apart (a binding firing on every check, not on its schedule, would be far closer).
    const fired = ticks.map((t) => Date.parse(t.headers.readtimeutc));
    expect(fired.every(Number.isFinite)).toBe(true);
    expect(fired[1] - fired[0]).toBeGreaterThan(500);
  });

  it('writes, reads, lists and deletes files under rootPath', async () => {
    expect((await invoke('files', { operation: 'create', data: 'hello', metadata: { fileName: 'a/b.txt' } })).json).toEqual({ fileName: 'a/b.txt' });
    expect((await invoke('files', { operation: 'get', metadata: { fileName: 'a/b.txt' } })).text).toBe('hello');
    expect((await invoke('files', { operation: 'list' })).json).toEqual(['a/b.txt']);
    expect((await invoke('files', { operation: 'delete', metadata: { fileName: 'a/b.txt' } })).status).toBe(204);
    expect(existsSync(join(root, 'a/b.txt'))).toBe(false);
  });

  it('refuses every path that escapes rootPath and touches nothing', async () => {
    mkdirSync(join(root, 'inner'), { recursive: true });
    symlinkSync(outside, join(root, 'inner', 'link'));
    writeFileSync(join(outside, 'secret.txt'), 'outside');
    for (const fileName of ['../escape.txt', '/etc/passwd', 'inner/../../x.txt', 'inner/link/secret.txt', 'inner/link/new.txt']) {
      for (const operation of ['create', 'get', 'delete']) {
        const res = await invoke('files', { operation, data: 'x', metadata: { fileName } });
        expect(res.status, `${operation} ${fileName}`).toBe(500);
        expect(res.json?.errorCode).toBe('ERR_INVOKE_OUTPUT_BINDING');
      }
    }
    expect(existsSync(join(outside, 'new.txt'))).toBe(false);
    expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
  });

  it('creates, reads, increments and deletes Redis keys', async () => {
    const key = `bind-${randomUUID()}`;
    expect((await invoke('cache', { operation: 'create', data: { n: 1 }, metadata: { key, ttlInSeconds: '60' } })).status).toBe(204);
    expect((await invoke('cache', { operation: 'get', metadata: { key } })).text).toBe('{"n":1}');
    expect((await invoke('cache', { operation: 'increment', metadata: { key: `${key}-n` } })).status).toBe(204);
    expect((await invoke('cache', { operation: 'get', metadata: { key: `${key}-n` } })).text).toBe('1');
    expect((await invoke('cache', { operation: 'delete', metadata: { key } })).status).toBe(204);
    expect((await invoke('cache', { operation: 'get', metadata: { key } })).status).toBe(204);
  });

  it('calls an HTTP endpoint and returns its status and headers as metadata', async () => {
    const res = await invoke('web', { operation: 'post', data: { a: 1 }, metadata: { path: '/hooks', 'X-Custom': 'v' } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ pong: true });
    expect(res.headers.get('metadata.statuscode')).toBe('200');
    expect(res.headers.get('metadata.x-from')).toBe('external');
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/hooks', body: '{"a":1}' });
    expect((await invoke('web', { operation: 'get', metadata: { path: '/missing' } })).json?.errorCode).toBe('ERR_INVOKE_OUTPUT_BINDING');
  });

  it('delivers Kafka records written through the output side to the app', async () => {
    expect((await invoke('stream', { operation: 'create', data: { order: 7 } })).status).toBe(204);
    const ds = await waitFor(() => app.received(), (d) => d.some((x) => x.path === '/stream'), 20_000);
    expect(JSON.parse(ds.find((x) => x.path === '/stream')!.body)).toEqual({ order: 7 });
  }, 30_000);

  it('answers unknown bindings and unsupported operations with ERR_INVOKE_OUTPUT_BINDING', async () => {
    const unknown = await invoke('nope', { operation: 'create' });
    expect(unknown.status).toBe(500);
    expect(unknown.json?.errorCode).toBe('ERR_INVOKE_OUTPUT_BINDING');
    const op = await invoke('cache', { operation: 'explode', metadata: { key: 'k' } });
    expect(op.json?.message).toContain('supported operations: create get delete increment');
    expect((await fetch(`${mecha.url}/v1.0/bindings/cache`, { method: 'POST', body: '{oops' })).status).toBe(400);
  });

  it('serves InvokeBinding over gRPC', async () => {
    const dapr = daprClient(mecha.grpcPort);
    try {
      const key = `grpc-${randomUUID()}`;
      await dapr.call('InvokeBinding', { name: 'cache', operation: 'create', data: Buffer.from('raw'), metadata: { key } });
      const got = await dapr.call<{ data: Buffer }>('InvokeBinding', { name: 'cache', operation: 'get', metadata: { key } });
      expect(got.data.toString()).toBe('raw');
    } finally {
      dapr.close();
    }
  });
});
