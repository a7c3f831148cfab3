import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfiguration, metricsSpecOf } from '../../src/config/configuration.js';
import { ResourceLoadError } from '../../src/config/resource-problem.js';
import { VERSION } from '../../src/version.js';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { scrape } from './prometheus-text.js';

const resources = resourcesDir({
  'state.yaml': component('statestore', 'state.in-memory'),
  'broken.yaml': component('broken', 'state.redis', { redisHost: '127.0.0.1:1' }, '  ignoreErrors: true'),
});
const config = join(resources, '..', `${resources.split('/').pop()}-config.yaml`);
writeFileSync(
  config,
  `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: observed
spec:
  metrics:
    latencyDistributionBuckets: [5, 50]
    http:
      increasedCardinality: false
      excludeVerbs: true
      pathMatching: ["/orders/{id}"]
    rules:
      - name: dapr_component_state_count
        labels:
          - name: component
            regex:
              "masked": "^state.*$"
`,
);

let sidecar: MechaProcess;
let metricsPort: number;

beforeAll(async () => {
  metricsPort = await freePort();
  sidecar = await startMecha(['--app-id', 'observed', '--resources-path', resources, '--config', config, '--metrics-port', String(metricsPort), '--metrics-listen-address', '127.0.0.1', '--log-as-json', '--enable-api-logging']);
});

afterAll(async () => {
  await sidecar?.stop();
  rmSync(resources, { recursive: true, force: true });
  rmSync(config, { force: true });
});

describe('spec.metrics', () => {
  it('pathMatching labels matched paths by their pattern (invocation too), the rest "" without increased cardinality; excludeVerbs drops the method', async () => {
    await fetch(`${sidecar.url}/v1.0/invoke/nowhere/method/orders/7`, { method: 'POST' });
    await fetch(`${sidecar.url}/v1.0/state/statestore/k`);
    expect((await fetch(`${sidecar.url}/v1.0/state/nostore/k`)).status).toBe(400);
    const s = await scrape(metricsPort);
    const invoke = s.samples.filter((x) => x.name === 'dapr_http_server_request_count' && x.labels.path === '/v1.0/invoke/{app_id}/method/orders/{id}');
    expect(invoke).toHaveLength(1);
    expect(invoke[0].labels.method).toBe('');
    expect(s.sum('dapr_http_server_request_count', { path: '', method: '', status: '400' })).toBe(1);
    expect(s.samples.some((x) => x.labels.path?.includes('/7') || x.labels.path?.startsWith('/v1.0/state'))).toBe(false);
    // With path matching on, daprd also counts responses.
    expect(s.sum('dapr_http_server_response_count', { path: '/v1.0/invoke/{app_id}/method/orders/{id}' })).toBe(1);
  });

  it('latencyDistributionBuckets replaces the latency buckets, not the size buckets', async () => {
    const s = await scrape(metricsPort);
    expect(s.buckets('dapr_http_server_latency')).toEqual([5, 50]);
    expect(s.buckets('dapr_component_state_latencies')).toEqual([5, 50]);
    expect(s.buckets('dapr_http_server_request_bytes')[0]).toBe(1024);
  });

  it('rules rewrite label values of the metric they name only', async () => {
    const s = await scrape(metricsPort);
    expect(s.sum('dapr_component_state_count', { component: 'masked', operation: 'get' })).toBe(1);
    expect(s.sum('dapr_component_state_count', { component: 'statestore' })).toBe(0);
    expect(s.sum('dapr_component_state_latencies_count', { component: 'statestore', operation: 'get' })).toBe(1);
  });
});

describe('--log-as-json', () => {
  it("writes daprd's fields on every line", () => {
    const lines = sidecar
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line).toMatchObject({ app_id: 'observed', instance: hostname(), type: 'log', ver: VERSION });
      expect(typeof line.msg).toBe('string');
      expect(typeof line.scope).toBe('string');
      expect(['debug', 'info', 'warning', 'error', 'fatal']).toContain(line.level);
      expect(new Date(line.time as string).toISOString()).toBe(line.time);
    }
    const failed = lines.find((l) => l.level === 'warning' && l.component === 'broken (state.redis)');
    expect(failed).toMatchObject({ scope: 'dapr.runtime', type: 'log' });
  });

  it('with --enable-api-logging, logs each API call with its trace id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await fetch(`${sidecar.url}/v1.0/metadata`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    const logged = async () =>
      sidecar
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'api call' && l.path === '/v1.0/metadata');
    for (let i = 0; i < 50 && !(await logged()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await logged()).toMatchObject({ method: 'GET', status: 200, traceid: traceId });
  });
});

describe('metrics off', () => {
  it('--enable-metrics=false serves nothing on the metrics port', async () => {
    const port = await freePort();
    const off = await startMecha(['--app-id', 'quiet', '--enable-metrics=false', '--metrics-port', String(port), '--metrics-listen-address', '127.0.0.1']);
    try {
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    } finally {
      await off.stop();
    }
  });

  it('spec.metrics.enabled: false serves nothing either', async () => {
    const port = await freePort();
    const file = join(resources, '..', `${resources.split('/').pop()}-off.yaml`);
    writeFileSync(file, 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: off\nspec:\n  metric:\n    enabled: false\n');
    const off = await startMecha(['--app-id', 'quiet', '--config', file, '--metrics-port', String(port), '--metrics-listen-address', '127.0.0.1']);
    try {
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    } finally {
      await off.stop();
      rmSync(file, { force: true });
    }
  });
});

describe('spec.metrics validation', () => {
  it('names the file and the field of a bad value', async () => {
    const file = join(resources, '..', `${resources.split('/').pop()}-bad.yaml`);
    writeFileSync(
      file,
      'kind: Configuration\nspec:\n  metrics:\n    latencyDistributionBuckets: [1, "fast"]\n    rules:\n      - name: dapr_http_server_request_count\n        labels:\n          - name: path\n            regex: {"x": "(unclosed"}\n',
    );
    try {
      const err = (await loadConfiguration([file], {}).catch((e: unknown) => e)) as ResourceLoadError;
      expect(err).toBeInstanceOf(ResourceLoadError);
      expect(err.message).toContain(file);
      expect(err.message).toContain('spec.metrics.latencyDistributionBuckets[1]');
      expect(err.message).toContain('spec.metrics.rules[0].labels[0].regex.x: must be a valid regular expression');
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('reads `metric` and lets `metrics` override it field by field, as daprd does', () => {
    expect(metricsSpecOf({ metric: { enabled: false, http: { excludeVerbs: true } }, metrics: { http: { increasedCardinality: false } } })).toEqual({
      enabled: false,
      http: { increasedCardinality: false },
    });
  });
});
