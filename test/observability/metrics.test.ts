import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { scrape, type Scrape } from './prometheus-text.js';

/** The families daprd 1.17 served under the same kind of traffic (names, types, help, labels, buckets). */
const DAPRD = JSON.parse(readFileSync(new URL('./fixtures/daprd-metric-families.json', import.meta.url), 'utf8')) as Array<{
  name: string;
  type: string;
  help: string;
  labels: string[];
  buckets?: number[];
}>;

// Both sidecars share one private name registry (the default lives under $HOME).
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const resources = resourcesDir({
  'state.yaml': component('statestore', 'state.in-memory'),
  'pubsub.yaml': component('pubsub', 'pubsub.in-memory'),
  // Fails to init (nothing listens on port 1); ignoreErrors keeps the sidecar up.
  'broken.yaml': component('broken', 'state.redis', { redisHost: '127.0.0.1:1' }, '  ignoreErrors: true'),
  'subscription.yaml': `apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders
spec:
  pubsubname: pubsub
  topic: orders
  routes:
    default: /orders
`,
});

let app: Server;
const delivered: string[] = [];
let a: MechaProcess;
let b: MechaProcess;
let metricsA: number;
let metricsB: number;

beforeAll(async () => {
  app = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/dapr/subscribe') return res.end('[]');
      if (req.url === '/orders') delivered.push(req.url);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  const appPort = await freePort();
  await new Promise<void>((r) => app.listen(appPort, '127.0.0.1', r));
  [metricsA, metricsB] = [await freePort(), await freePort()];
  const metricsFlags = (port: number) => ['--metrics-port', String(port), '--metrics-listen-address', '127.0.0.1', '--resources-path', resources];
  [a, b] = await Promise.all([
    startMecha(['--app-id', 'a', '--app-port', String(appPort), ...metricsFlags(metricsA)], { env: { HOME }, readyPath: '/v1.0/healthz' }),
    startMecha(['--app-id', 'b', ...metricsFlags(metricsB)], { env: { HOME } }),
  ]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await new Promise((r) => app?.close(r));
  rmSync(HOME, { recursive: true, force: true });
  rmSync(resources, { recursive: true, force: true });
});

/** Scrapes until `ready` holds, bounded (deliveries and answers are asynchronous). */
async function scrapeUntil(port: number, ready: (s: Scrape) => boolean): Promise<Scrape> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await scrape(port);
    if (ready(s) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GET /metrics after known traffic', () => {
  it('counts HTTP and gRPC API calls and the state component calls behind them', async () => {
    expect((await fetch(`${a.url}/v1.0/state/statestore`, { method: 'POST', body: '[{"key":"k","value":"v"}]' })).status).toBe(204);
    for (let i = 0; i < 2; i++) expect((await fetch(`${a.url}/v1.0/state/statestore/k?consistency=strong`)).status).toBe(200);
    const dapr = daprClient(a.grpcPort);
    try {
      await dapr.call('SaveState', { store_name: 'statestore', states: [{ key: 'g', value: Buffer.from('1') }] });
      await dapr.call('GetState', { store_name: 'statestore', key: 'g' });
      await expect(dapr.call('GetState', { store_name: 'nope', key: 'g' })).rejects.toMatchObject({ code: 3 });
    } finally {
      dapr.close();
    }

    const s = await scrapeUntil(metricsA, (x) => x.sum('dapr_grpc_io_server_completed_rpcs') >= 3);
    const http = { app_id: 'a', path: '/v1.0/state/statestore' };
    expect(s.sum('dapr_http_server_request_count', { ...http, method: 'POST', status: '204' })).toBe(1);
    expect(s.sum('dapr_http_server_request_count', { ...http, method: 'GET', status: '200' })).toBe(2);
    expect(s.sum('dapr_http_server_latency_count', { ...http, method: 'GET', status: '200' })).toBe(2);
    const grpc = (method: string, status: string) => s.sum('dapr_grpc_io_server_completed_rpcs', { grpc_server_method: `/dapr.proto.runtime.v1.Dapr/${method}`, grpc_server_status: status });
    expect(grpc('SaveState', 'OK')).toBe(1);
    expect(grpc('GetState', 'OK')).toBe(1);
    expect(grpc('GetState', 'InvalidArgument')).toBe(1);
    const state = (operation: string) => s.sum('dapr_component_state_count', { app_id: 'a', component: 'statestore', namespace: '', operation, success: 'true' });
    expect(state('set')).toBe(2);
    expect(state('get')).toBe(3);
    expect(s.sum('dapr_component_state_latencies_count', { component: 'statestore', operation: 'get' })).toBe(3);
  });

  it('counts a publish and its delivery to the app', async () => {
    const res = await fetch(`${a.url}/v1.0/publish/pubsub/orders`, { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(204);
    const s = await scrapeUntil(metricsA, (x) => x.sum('dapr_component_pubsub_ingress_count', { topic: 'orders' }) >= 1);
    expect(delivered).toEqual(['/orders']);
    expect(s.sum('dapr_component_pubsub_egress_count', { component: 'pubsub', topic: 'orders', success: 'true' })).toBe(1);
    expect(s.sum('dapr_component_pubsub_ingress_count', { component: 'pubsub', topic: 'orders', process_status: 'success', status: 'success' })).toBe(1);
    expect(s.sum('dapr_component_pubsub_ingress_latencies_count', { topic: 'orders' })).toBe(1);
    expect(s.sum('dapr_http_client_completed_count', { method: 'POST', path: '/orders', status: '200' })).toBe(1);
    expect(s.sum('dapr_http_client_completed_count', { method: 'GET', path: '/dapr/subscribe', status: '200' })).toBe(1);
  });

  it('counts an invocation on both sidecars', async () => {
    const res = await fetch(`${b.url}/v1.0/invoke/a/method/hello`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
    const sent = await scrapeUntil(metricsB, (x) => x.sum('dapr_runtime_service_invocation_res_recv_total') >= 1);
    expect(sent.sum('dapr_runtime_service_invocation_req_sent_total', { app_id: 'b', dst_app_id: 'a', type: 'unary' })).toBe(1);
    expect(sent.sum('dapr_runtime_service_invocation_res_recv_total', { app_id: 'b', src_app_id: 'a', status: '200', type: 'unary' })).toBe(1);
    expect(sent.sum('dapr_runtime_service_invocation_res_recv_latency_ms_count', { src_app_id: 'a', status: '200' })).toBe(1);
    expect(sent.sum('dapr_http_server_request_count', { path: '/v1.0/invoke/a/method/hello', method: 'POST', status: '200' })).toBe(1);
    const received = await scrape(metricsA);
    expect(received.sum('dapr_runtime_service_invocation_req_recv_total', { app_id: 'a', src_app_id: 'b' })).toBe(1);
    expect(received.sum('dapr_runtime_service_invocation_res_sent_total', { app_id: 'a', dst_app_id: 'b', status: '200' })).toBe(1);
    // The call into the app, as its HTTP client sees it.
    expect(received.sum('dapr_http_client_completed_count', { app_id: 'a', method: 'POST', path: '/hello', status: '200' })).toBe(1);
    expect(received.sum('dapr_http_client_roundtrip_latency_count', { method: 'POST', path: '/hello', status: '200' })).toBe(1);
    expect(received.sum('dapr_http_client_sent_bytes_count', { method: 'POST', path: '/hello', status: '' })).toBe(1);
  });

  it('counts loaded components and the one that failed to init', async () => {
    const s = await scrape(metricsB);
    expect(s.sum('dapr_runtime_component_loaded', { app_id: 'b' })).toBe(2);
    expect(s.sum('dapr_runtime_component_init_total', { component: 'state.in-memory' })).toBe(1);
    expect(s.sum('dapr_runtime_component_init_total', { component: 'pubsub.in-memory' })).toBe(1);
    expect(s.sum('dapr_runtime_component_init_fail_total', { app_id: 'b', component: 'state.redis', componentName: 'broken', reason: 'init' })).toBe(1);
  });

  it("serves daprd's families with daprd's type, help, labels and buckets, and the process's own", async () => {
    const s = await scrape(metricsA);
    const served = DAPRD.filter((f) => s.type.has(f.name));
    // Every dapr_ family of the recording except gRPC byte sizes and ACL counters.
    const missing = DAPRD.filter((f) => f.name.startsWith('dapr_') && !s.type.has(f.name)).map((f) => f.name);
    expect(missing.sort()).toEqual(['dapr_grpc_io_server_received_bytes_per_rpc', 'dapr_grpc_io_server_sent_bytes_per_rpc', 'dapr_runtime_acl_global_policy_action_allowed_total']);
    for (const f of served) {
      expect({ name: f.name, type: s.type.get(f.name), help: s.help.get(f.name) }).toEqual({ name: f.name, type: f.type, help: f.help });
      const seen = s.labelNames(f.name);
      if (seen.length > 0) expect({ name: f.name, labels: seen }).toEqual({ name: f.name, labels: f.labels });
      if (f.buckets && seen.length > 0) expect({ name: f.name, buckets: s.buckets(f.name) }).toEqual({ name: f.name, buckets: f.buckets });
    }
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_gc_duration_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(s.type.has(name), name).toBe(true);
    }
  });
});
