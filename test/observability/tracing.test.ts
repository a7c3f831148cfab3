import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, Metadata } from '@grpc/grpc-js';
import { serviceByName } from '../../src/transports/grpc/protos.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { startSubscriberApp, type SubscriberApp } from '../e2e/pubsub-support.js';
import { startOtlpGrpcReceiver, startSpanReceiver, waitFor, type DaprdSpan, type ReceivedSpan } from './tracing-support.js';

const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const DAPRD = JSON.parse(readFileSync(new URL('./fixtures/daprd-spans.json', import.meta.url), 'utf8')) as { spans: DaprdSpan[] };
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const cwd = mkdtempSync(join(tmpdir(), 'mecha-tracing-'));
const run = randomUUID().slice(0, 8);
const TOPIC = `traced-${run}`;

let receiver: Awaited<ReturnType<typeof startSpanReceiver>>;
const running: Array<{ stop(): Promise<unknown> }> = [];

function configFile(name: string, tracing: string): string {
  const file = join(cwd, `${name}.yaml`);
  writeFileSync(file, `apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: ${name}\nspec:\n  tracing:\n${tracing}`);
  return file;
}

async function sidecar(appId: string, args: string[], app?: string[]): Promise<MechaProcess> {
  const m = await startMecha(['--app-id', appId, ...args, ...(app ? ['--', process.execPath, ...app] : [])], { cwd, env: { HOME }, readyPath: '/v1.0/healthz' });
  running.push(m);
  return m;
}

/** The daprd span of a fixture case on one sidecar, with our names for the app ids, method and topic. */
function daprdSpan(kase: string, service: string): DaprdSpan {
  const s = DAPRD.spans.find((x) => x.case === kase && x.service === service);
  if (!s) throw new Error(`no fixture span for ${kase} on ${service}`);
  return s;
}

/** Our attributes against daprd's: the same keys, and the same values but for ports and the served method. */
function expectDaprdAttributes(ours: ReceivedSpan, theirs: DaprdSpan, rename: (v: string) => string = (v) => v): void {
  const { 'service.name': _s, 'otel.scope.name': scope, error: _e, 'otel.status_code': _c, ...tags } = theirs.tags;
  const { 'otel.scope.name': ourScope, 'service.name': _ours, ...attributes } = ours.attributes;
  // OTLP carries the scope; the JavaScript Zipkin exporter leaves it out (Go's adds it as a tag).
  if (ours.format === 'otlp') expect(ourScope).toBe(scope);
  expect(Object.keys(attributes).sort()).toEqual(Object.keys(tags).sort());
  for (const [k, v] of Object.entries(tags)) {
    if (k === 'server.port' || (theirs.kind === 'SERVER' && k === 'dapr.api')) continue;
    expect(attributes[k], k).toBe(rename(v));
  }
  expect(ours.kind).toBe(theirs.kind);
  expect(ours.name).toBe(rename(theirs.name));
}

/** A loopback HTTP server keeping the headers of each request it gets. */
async function startHeaderRecorder(): Promise<{ url: string; seen: Array<Record<string, string | string[] | undefined>>; stop(): Promise<void> }> {
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

const CALLER_SPAN = 'b7ad6b7169203331';
const traceparentOf = (traceId: string) => `00-${traceId}-${CALLER_SPAN}-01`;
const spansOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
const newTraceId = () => randomUUID().replace(/-/g, '');

beforeAll(async () => {
  receiver = await startSpanReceiver();
});

afterAll(async () => {
  for (const p of running.reverse()) await p.stop();
  await receiver?.close();
  rmSync(HOME, { recursive: true, force: true });
});

describe('tracing across two sidecars and an app (OTLP/HTTP)', () => {
  let a: MechaProcess;
  let b: MechaProcess;
  let web: Awaited<ReturnType<typeof startHeaderRecorder>>;
  beforeAll(async () => {
    web = await startHeaderRecorder();
    running.push(web);
    const resources = resourcesDir({
      'state.yaml': component('statestore', 'state.in-memory'),
      'web.yaml': component('web', 'bindings.http', { url: web.url }),
    });
    const config = configFile('otlp', `    samplingRate: "1"\n    otel:\n      endpointAddress: ${receiver.host}\n      protocol: http\n      isSecure: false\n`);
    [a, b] = await Promise.all([
      sidecar('a', ['--config', config, '--resources-path', resources, '--app-port', String(await freePort())], [ECHO_APP]),
      sidecar('b', ['--config', config, '--app-port', String(await freePort())], [ECHO_APP]),
    ]);
  });

  it('HTTP invocation: caller → sidecar a → sidecar b → app b is one trace, named as daprd names it', async () => {
    const traceId = newTraceId();
    const res = await fetch(`${a.url}/v1.0/invoke/b/method/hello`, { method: 'POST', body: '{"x":1}', headers: { traceparent: traceparentOf(traceId), tracestate: 'k=v' } });
    expect(res.status).toBe(200);
    const seen = ((await res.json()) as { headers: Record<string, string> }).headers;
    const spans = await waitFor(() => spansOf(traceId), (s) => s.length >= 2);
    const client = spans.find((s) => s.service === 'a')!;
    const server = spans.find((s) => s.service === 'b')!;
    expect(client.parentId).toBe(CALLER_SPAN);
    expect(server.parentId).toBe(client.spanId);
    expect(seen.traceparent, 'the app sees the callee span').toBe(`00-${traceId}-${server.spanId}-01`);
    expect(seen.tracestate).toBe('k=v');
    expect(res.headers.get('traceparent'), 'the caller gets the span of sidecar a').toBe(`00-${traceId}-${client.spanId}-01`);
    expectDaprdAttributes(client, daprdSpan('http invoke', 'a'));
    expectDaprdAttributes(server, daprdSpan('http invoke', 'b'));
  });

  it('gRPC invocation (InvokeService) continues the trace the same way', async () => {
    const traceId = newTraceId();
    const client = daprClient(a.grpcPort);
    try {
      const res = await client.call<{ data: { value: Buffer } }>(
        'InvokeService',
        { id: 'b', message: { method: 'ghello', data: { type_url: '', value: Buffer.from('{}') }, content_type: 'application/json', http_extension: { verb: 'POST' } } },
        { traceparent: traceparentOf(traceId) },
      );
      const seen = (JSON.parse(res.data.value.toString()) as { headers: Record<string, string> }).headers;
      const spans = await waitFor(() => spansOf(traceId), (s) => s.length >= 2);
      const caller = spans.find((s) => s.service === 'a')!;
      const callee = spans.find((s) => s.service === 'b')!;
      expect(caller.parentId).toBe(CALLER_SPAN);
      expect(callee.parentId).toBe(caller.spanId);
      expect(seen.traceparent).toBe(`00-${traceId}-${callee.spanId}-01`);
      expectDaprdAttributes(caller, daprdSpan('grpc invoke', 'a'));
      expectDaprdAttributes(callee, daprdSpan('grpc invoke', 'b'));
    } finally {
      client.close();
    }
  });

  it('gRPC API calls take grpc-trace-bin as the parent and answer with their own', async () => {
    const traceId = newTraceId();
    const md = new Metadata();
    md.set('grpc-trace-bin', Buffer.concat([Buffer.from([0, 0]), Buffer.from(traceId, 'hex'), Buffer.from([1]), Buffer.from(CALLER_SPAN, 'hex'), Buffer.from([2, 1])]));
    const Ctor = serviceByName('dapr.proto.runtime.v1.Dapr');
    const client = new Ctor(`127.0.0.1:${a.grpcPort}`, credentials.createInsecure()) as unknown as Record<string, (...args: unknown[]) => { on(e: string, f: (m: Metadata) => void): void }> & { close(): void };
    try {
      const answered = await new Promise<Metadata>((resolve, reject) => {
        const call = client.SaveState({ store_name: 'statestore', states: [{ key: `g-${run}`, value: Buffer.from('1') }] }, md, (err: Error | null) => err && reject(err));
        call.on('metadata', resolve);
      });
      const [span] = await waitFor(() => spansOf(traceId), (s) => s.length >= 1);
      expect(span.parentId).toBe(CALLER_SPAN);
      const bin = answered.get('grpc-trace-bin')[0] as Buffer;
      expect(bin.toString('hex', 2, 18)).toBe(traceId);
      expect(bin.toString('hex', 19, 27)).toBe(span.spanId);
      expectDaprdAttributes(span, daprdSpan('grpc state save', 'a'));
    } finally {
      client.close();
    }
  });

  it('an output binding gets the API span in its metadata, and bindings.http sends it on', async () => {
    const traceId = newTraceId();
    const res = await fetch(`${a.url}/v1.0/bindings/web`, { method: 'POST', body: '{"operation":"post","data":{"a":1},"metadata":{"path":"/hook"}}', headers: { traceparent: traceparentOf(traceId), tracestate: 'k=v' } });
    expect(res.status).toBe(200);
    const [span] = await waitFor(() => spansOf(traceId), (s) => s.length >= 1);
    expect(web.seen.at(-1)).toMatchObject({ traceparent: `00-${traceId}-${span.spanId}-01`, tracestate: 'k=v' });
    expect(span.name).toBe('/v1.0/bindings/web');
    expect(span.attributes).toMatchObject({ 'db.system': 'bindings', 'db.name': 'web', 'db.connection_string': 'bindings' });
  });

  it('a failed state call is marked as an error, as daprd marks it', async () => {
    const traceId = newTraceId();
    const res = await fetch(`${a.url}/v1.0/state/nostore/k1`, { headers: { traceparent: traceparentOf(traceId) } });
    expect(res.status).toBe(400);
    const [span] = await waitFor(() => spansOf(traceId), (s) => s.length >= 1);
    expect(res.headers.get('traceparent')).toBe(`00-${traceId}-${span.spanId}-01`);
    expectDaprdAttributes(span, daprdSpan('http state get, unknown store (400)', 'a'));
    expect(span.error).toBe('Code(400): Bad Request');
  });
});

const brokers: Record<string, () => string> = {
  Redis: () => {
    const [host, port] = inject('redisAddress').split(':');
    return component('pubsub', 'pubsub.redis', { redisHost: `${host}:${port}` });
  },
  Kafka: () => component('pubsub', 'pubsub.kafka', { brokers: inject('kafkaBrokers'), initialOffset: 'oldest', sessionTimeout: '6s', heartbeatInterval: '1s' }),
};

describe.each(Object.keys(brokers))('tracing through publish and delivery (%s, Zipkin)', (broker) => {
  const topic = `${TOPIC}-${broker.toLowerCase()}`;
  let pub: MechaProcess;
  let subApp: SubscriberApp;
  beforeAll(async () => {
    const resources = resourcesDir({ 'pubsub.yaml': brokers[broker]() });
    const config = configFile('zipkin', `    samplingRate: "1"\n    zipkin:\n      endpointAddress: ${receiver.url}/api/v2/spans\n`);
    subApp = await startSubscriberApp({ subscriptions: [{ pubsubname: 'pubsub', topic, route: '/orders' }] });
    running.push(subApp);
    [pub] = await Promise.all([
      sidecar(`a-pub-${broker}`, ['--config', config, '--resources-path', resources]),
      sidecar(`b-sub-${broker}`, ['--config', config, '--resources-path', resources, '--app-port', String(subApp.port)]),
    ]);
  });

  it('the delivery span continues the publish span; the CloudEvent carries it as traceid and traceparent', async () => {
    const traceId = newTraceId();
    const res = await fetch(`${pub.url}/v1.0/publish/pubsub/${topic}`, { method: 'POST', body: '{"o":1}', headers: { 'content-type': 'application/json', traceparent: traceparentOf(traceId) } });
    expect(res.status).toBe(204);
    const deliveries = await waitFor(() => subApp.received(), (d) => d.length >= 1, 30_000);
    const spans = await waitFor(() => spansOf(traceId), (s) => s.length >= 2);
    const publish = spans.find((s) => s.service === `a-pub-${broker}`)!;
    const delivery = spans.find((s) => s.service === `b-sub-${broker}`)!;
    expect(publish.parentId).toBe(CALLER_SPAN);
    expect(delivery.parentId).toBe(publish.spanId);
    expect(res.headers.get('traceparent')).toBe(`00-${traceId}-${publish.spanId}-01`);
    const event = JSON.parse(deliveries[0].body) as Record<string, string>;
    expect(event.traceid).toBe(`00-${traceId}-${publish.spanId}-01`);
    expect(event.traceparent).toBe(event.traceid);
    expect(deliveries[0].headers.traceparent).toBe(`00-${traceId}-${delivery.spanId}-01`);
    const rename = (v: string) => v.replace(/\borders\b/g, topic);
    expectDaprdAttributes(publish, daprdSpan('http publish + delivery', 'a'), rename);
    expectDaprdAttributes(delivery, daprdSpan('http publish + delivery', 'b'), rename);
  }, 45_000);
});

describe('sampling and the stdout exporter', () => {
  it('samplingRate "0" sends nothing, answers without traceparent and passes the caller\'s on unchanged', async () => {
    const config = configFile('off', `    samplingRate: "0"\n    otel:\n      endpointAddress: ${receiver.host}\n      protocol: http\n      isSecure: false\n`);
    const off = await sidecar('off', ['--config', config, '--app-port', String(await freePort())], [ECHO_APP]);
    const before = receiver.requests;
    const traceId = newTraceId();
    const res = await fetch(`${off.url}/v1.0/invoke/off/method/quiet`, { headers: { traceparent: traceparentOf(traceId) } });
    expect(res.status).toBe(200);
    expect(res.headers.get('traceparent')).toBeNull();
    expect(((await res.json()) as { headers: Record<string, string> }).headers.traceparent).toBe(traceparentOf(traceId));
    // Spans are batched for a second: stopping the sidecar flushes whatever it would have sent.
    await off.stop();
    expect(receiver.requests).toBe(before);
    expect(spansOf(traceId)).toEqual([]);
  });

  it('a caller that did not sample its trace gets an unsampled traceparent and no span is sent', async () => {
    const config = configFile('unsampled', `    samplingRate: "1"\n    otel:\n      endpointAddress: ${receiver.host}\n      protocol: http\n      isSecure: false\n`);
    const m = await sidecar('unsampled', ['--config', config]);
    const traceId = newTraceId();
    const res = await fetch(`${m.url}/v1.0/state/statestore/k`, { headers: { traceparent: `00-${traceId}-${CALLER_SPAN}-00` } });
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    await m.stop();
    expect(spansOf(traceId)).toEqual([]);
  });

  it('exports over OTLP/gRPC when the protocol is grpc', async () => {
    const collector = await startOtlpGrpcReceiver();
    running.push({ stop: () => collector.close() });
    const config = configFile('grpc', `    samplingRate: "1"\n    otel:\n      endpointAddress: ${collector.host}\n      protocol: grpc\n      isSecure: false\n`);
    const m = await sidecar('grpc-exporter', ['--config', config]);
    const traceId = newTraceId();
    const res = await fetch(`${m.url}/v1.0/state/statestore`, { method: 'POST', body: '[{"key":"k1","value":1}]', headers: { traceparent: traceparentOf(traceId) } });
    expect(res.status).toBe(204);
    const [span] = await waitFor(() => collector.spans.filter((s) => s.traceId === traceId), (s) => s.length >= 1);
    expect(span).toMatchObject({ service: 'grpc-exporter', parentId: CALLER_SPAN, name: '/v1.0/state/statestore', kind: 'CLIENT' });
    expectDaprdAttributes(span, daprdSpan('http state save', 'a'));
  });

  it('stdout: true writes each span to the sidecar\'s output', async () => {
    const config = configFile('stdout', '    samplingRate: "1"\n    stdout: true\n');
    const m = await sidecar('printer', ['--config', config]);
    const traceId = newTraceId();
    await fetch(`${m.url}/v1.0/state/statestore/printed`, { headers: { traceparent: traceparentOf(traceId) } });
    const out = await waitFor(() => m.output(), (o) => o.includes(traceId));
    expect(out).toContain(traceId);
    expect(out).toContain("name: '/v1.0/state/statestore/printed'");
  });
});
