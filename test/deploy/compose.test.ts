import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfiguration } from '../../src/config/configuration.js';
import { loadResources } from '../../src/config/resources.js';
import { builtinComponents } from '../../src/registry/builtin.js';
import { ComponentRegistry } from '../../src/registry/component-registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: unknown; network_mode?: string; command?: string[]; environment?: Record<string, string>; volumes?: string[]; depends_on?: Record<string, unknown>; healthcheck?: { test?: unknown } }>;
};
const APPS = ['checkout', 'order-processor', 'inventory'];
const flag = (command: string[], name: string) => command[command.indexOf(name) + 1];

/** The Compose CLI to validate with: the docker plugin, else the standalone docker-compose; none on a machine without either. */
const COMPOSE_CANDIDATES: Array<[string, string[]]> = [['docker', ['compose']], ['docker-compose', []]];
const composeCli = (
  await Promise.all(COMPOSE_CANDIDATES.map(([cmd, pre]) => promisify(execFile)(cmd, [...pre, 'version'], { timeout: 20_000 }).then(() => [cmd, pre] as const, () => undefined)))
).find(Boolean);
const validationTitle = composeCli
  ? `is valid for ${[composeCli[0], ...composeCli[1]].join(' ')} (config -q), alone and with the observability variant`
  : 'is valid for docker compose (skipped: neither `docker compose` nor `docker-compose` is installed)';

// No Docker engine runs here: the compose file and the Dockerfile are checked for what they must contain.
describe('docker-compose.yml', () => {
  it('runs Redis and a KRaft Kafka with health checks the sidecars wait for', () => {
    const { redis, kafka } = compose.services;
    expect(redis?.image).toMatch(/^redis:/);
    expect(kafka?.image).toMatch(/^apache\/kafka:/);
    expect(kafka?.environment?.KAFKA_PROCESS_ROLES).toContain('controller');
    for (const app of APPS) {
      for (const service of [app, `${app}-sidecar`]) expect(compose.services[service]?.depends_on, service).toEqual({ redis: { condition: 'service_healthy' }, kafka: { condition: 'service_healthy' } });
    }
    expect(redis?.healthcheck?.test).toBeDefined();
    expect(kafka?.healthcheck?.test).toBeDefined();
  });

  it('pairs every demo app with a mecha sidecar in its network namespace', () => {
    for (const app of APPS) {
      const appService = compose.services[app]!;
      const sidecar = compose.services[`${app}-sidecar`]!;
      expect(appService.volumes?.some((v) => v.startsWith(`./examples/order-demo/${app}:`))).toBe(true);
      // The app's command names a file of the mounted example (`go run .` its module).
      const entry = appService.command!.find((a) => /\.(mjs|js|py)$/.test(a) || a === '.');
      expect(existsSync(join(ROOT, 'examples/order-demo', app, entry === '.' ? 'go.mod' : entry!)), `${app}: ${entry}`).toBe(true);
      expect(sidecar.build).toBe('.');
      expect(sidecar.network_mode).toBe(`service:${app}`);
      const command = sidecar.command!;
      expect(command[0]).toBe('run');
      expect(flag(command, '--app-id')).toBe(app);
      if (appService.environment?.APP_PORT) expect(flag(command, '--app-port')).toBe(appService.environment.APP_PORT);
      expect(appService.environment?.DAPR_HTTP_PORT ?? '3500').toBe('3500');
      expect(flag(command, '--dapr-internal-grpc-port')).toBe('50002');
      expect(flag(command, '--dapr-listen-addresses')).toBe('0.0.0.0');
      expect(sidecar.volumes).toEqual(expect.arrayContaining(['./deploy/compose/resources:/resources:ro', './deploy/compose/config.yaml:/config/config.yaml:ro']));
    }
  });

  it('mounts resources that load cleanly and are scoped to the demo apps, and a configuration that resolves by service name', async () => {
    const warnings: string[] = [];
    const registry = new ComponentRegistry(builtinComponents);
    const dir = join(ROOT, 'deploy/compose/resources');
    for (const app of APPS) {
      const { components } = await loadResources([dir], { registry, appId: app, env: {}, warn: (m) => warnings.push(m) });
      expect(components.length).toBeGreaterThan(0);
    }
    expect(warnings).toEqual([]);
    for (const file of readdirSync(dir)) {
      const doc = parse(readFileSync(join(dir, file), 'utf8')) as { scopes?: string[] };
      for (const scope of doc.scopes ?? []) expect(APPS).toContain(scope);
    }
    const config = await loadConfiguration([join(ROOT, 'deploy/compose/config.yaml')], {});
    expect(config.nameResolution).toEqual({ component: 'kubernetes', configuration: { template: '{{.ID}}:{{.Port}}' } });
  });

  it.runIf(composeCli !== undefined)(validationTitle, async () => {
    const [cmd, pre] = composeCli!;
    await promisify(execFile)(cmd, [...pre, '-f', join(ROOT, 'docker-compose.yml'), 'config', '-q'], { timeout: 60_000 });
    // The observability variant is laid over it (docker-compose.observability.yml; its contents: compose-observability.test.ts).
    await promisify(execFile)(cmd, [...pre, '-f', join(ROOT, 'docker-compose.yml'), '-f', join(ROOT, 'docker-compose.observability.yml'), 'config', '-q'], { timeout: 60_000 });
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('builds in one stage and runs from a second as a non-root user, mecha as the entrypoint, healthz as the health check', () => {
    expect(text.match(/^FROM /gm)).toHaveLength(2);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\n?.*\/v1\.0\/healthz/m);
    expect(text).toMatch(/^ENTRYPOINT \["mecha"\]$/m);
  });

  it('copies only paths that exist, and none the .dockerignore leaves out', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter(Boolean);
    for (const [, src] of text.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      for (const path of src!.split(' ')) {
        expect(existsSync(join(ROOT, path)), path).toBe(true);
        expect(ignored).not.toContain(path);
      }
    }
  });
});
