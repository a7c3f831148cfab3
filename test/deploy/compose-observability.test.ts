import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfiguration } from '../../src/config/configuration.js';
import { FAMILIES } from '../../src/observability/metric-families.js';
import { Metrics } from '../../src/observability/metrics.js';

// docker-compose.observability.yml, laid over docker-compose.yml, and what it mounts: checked for what
// it must contain, as no Docker engine runs here.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OBS = join(ROOT, 'deploy/compose/observability');
type Service = { image?: string; command?: string[]; volumes?: string[]; ports?: string[]; environment?: Record<string, string> };
const readYaml = <T>(path: string) => parse(readFileSync(join(ROOT, path), 'utf8'), { merge: true }) as T;
const base = readYaml<{ services: Record<string, Service> }>('docker-compose.yml');
const overlay = readYaml<{ services: Record<string, Service> }>('docker-compose.observability.yml');
const APPS = ['checkout', 'order-processor', 'inventory'];
const flag = (command: string[], name: string) => (command.includes(name) ? command[command.indexOf(name) + 1] : undefined);
/** Compose merges `volumes` of a later file by the path inside the container. */
const mounts = (volumes: string[] = []) => new Map(volumes.map((v) => [v.split(':')[1]!, v.split(':')[0]!]));
const effectiveMounts = (service: string) => new Map([...mounts(base.services[service]?.volumes), ...mounts(overlay.services[service]?.volumes)]);

const dashboard = JSON.parse(readFileSync(join(OBS, 'grafana/dashboards/mecha-sidecars.json'), 'utf8')) as {
  uid: string;
  panels: Array<{ type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string; datasource?: { uid: string } }> }>;
};
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

/** Every metric name Mecha serves once metrics are on, with its type, read from its own registry. */
async function servedMetrics(): Promise<Map<string, string>> {
  const metrics = new Metrics('checkout');
  metrics.enable();
  return new Map((await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
}

/** The series a query names: a served family, or a histogram's `_bucket`, `_sum`, `_count` series. */
function resolves(name: string, served: Map<string, string>): boolean {
  if (served.has(name)) return true;
  const family = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  return family !== undefined && served.get(family) === 'histogram';
}

describe('docker-compose.observability.yml', () => {
  it('has every dashboard query name metrics Mecha serves, grouped only by labels they carry', async () => {
    const served = await servedMetrics();
    const labels = new Map(Object.values(FAMILIES).map((f) => [f.name, f.labels as readonly string[]]));
    expect(queries.length).toBeGreaterThan(10);
    for (const { panel, expr } of queries) {
      const groupings = [...expr.matchAll(/\bby \(([^)]*)\)/g)].map((m) => m[1]!.split(',').map((l) => l.trim()));
      const names = [...expr.replace(/\bby \([^)]*\)/g, '').matchAll(/\b(?:dapr|process|nodejs)_[a-z0-9_]+\b/g)].map((m) => m[0]);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        expect(resolves(name, served), `${panel}: ${name} is not served`).toBe(true);
        const family = labels.get(name) ?? labels.get(name.replace(/_bucket$/, ''));
        for (const label of groupings.flat()) expect(['le', 'instance', 'job', ...(family ?? [])], `${panel}: ${name} by ${label}`).toContain(label);
      }
    }
  });

  it('covers the API, pub/sub, invocation, component and process families the dashboard promises', () => {
    const exprs = queries.map((q) => q.expr).join('\n');
    for (const name of [
      'dapr_http_server_request_count', 'dapr_http_server_latency_bucket', 'dapr_grpc_io_server_completed_rpcs', 'dapr_grpc_io_server_server_latency_bucket',
      'dapr_component_pubsub_egress_count', 'dapr_component_pubsub_ingress_count', 'dapr_runtime_service_invocation_res_recv_latency_ms_bucket',
      'dapr_component_state_latencies_bucket', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds',
    ]) expect(exprs).toContain(name);
    expect(exprs).toMatch(/histogram_quantile\(0\.5, .*dapr_http_server_latency_bucket/);
    expect(exprs).toMatch(/histogram_quantile\(0\.99, .*dapr_http_server_latency_bucket/);
    expect(exprs).toMatch(/by \([^)]*process_status[^)]*\) \(rate\(dapr_component_pubsub_ingress_count/);
  });

  it('scrapes each sidecar on the metrics port its command opens', () => {
    const prometheus = parse(readFileSync(join(OBS, 'prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    const expected = APPS.map((app) => {
      const command = base.services[`${app}-sidecar`]!.command!;
      expect(flag(command, '--metrics-listen-address') ?? '0.0.0.0', app).toBe('0.0.0.0');
      return `${app}:${flag(command, '--metrics-port')}`;
    });
    expect(targets.sort()).toEqual(expected.sort());
    expect(expected.every((t) => /:\d+$/.test(t))).toBe(true);
    expect(effectiveMounts('prometheus').get('/etc/prometheus/prometheus.yml')).toBe('./deploy/compose/observability/prometheus.yml');
  });

  it('provisions Grafana with the datasources the dashboard uses and the folder it is mounted from', () => {
    const datasources = parse(readFileSync(join(OBS, 'grafana/provisioning/datasources/datasources.yaml'), 'utf8')) as { datasources: Array<{ uid: string; type: string; url: string }> };
    const byUid = new Map(datasources.datasources.map((d) => [d.uid, d]));
    for (const q of queries) expect(byUid.get(q.datasource!.uid)?.type, q.panel).toBe('prometheus');
    expect(byUid.get('prometheus')?.url).toBe('http://prometheus:9090');
    expect(byUid.get('jaeger')?.url).toBe('http://jaeger:16686');
    const providers = parse(readFileSync(join(OBS, 'grafana/provisioning/dashboards/dashboards.yaml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    const grafana = effectiveMounts('grafana');
    expect(grafana.get('/etc/grafana/provisioning')).toBe('./deploy/compose/observability/grafana/provisioning');
    const folder = providers.providers[0]!.options.path;
    expect(existsSync(join(ROOT, grafana.get(folder)!, 'mecha-sidecars.json'))).toBe(true);
    expect(overlay.services.grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${folder}/mecha-sidecars.json`);
  });

  it("mounts into every sidecar a tracing Configuration that Mecha's loader reads, exporting to Jaeger over OTLP", async () => {
    for (const app of APPS) {
      const sidecar = `${app}-sidecar`;
      const configPath = flag(base.services[sidecar]!.command!, '--config')!;
      expect(effectiveMounts(sidecar).get(configPath), sidecar).toBe('./deploy/compose/observability/config.yaml');
      expect(effectiveMounts(sidecar).get('/resources'), sidecar).toBe('./deploy/compose/resources');
    }
    const config = await loadConfiguration([join(OBS, 'config.yaml')], {});
    expect(config.tracing?.samplingRate).toBe('1');
    expect(config.tracing?.otel).toMatchObject({ endpointAddress: 'jaeger:4317', protocol: 'grpc', isSecure: false });
    // The demo's own Configuration stays in force: sidecars still find each other by service name.
    expect(config.nameResolution).toEqual((await loadConfiguration([join(ROOT, 'deploy/compose/config.yaml')], {})).nameResolution);
    expect(overlay.services.jaeger?.image).toMatch(/^jaegertracing\//);
  });
});
