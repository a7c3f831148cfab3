import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFlag, RUN_FLAGS } from '../../src/cli/flags.js';
import { parseRunArgs, UsageError } from '../../src/cli/parse-run-args.js';
import { freePort, MECHA_BIN, startMecha } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

/** The flags `daprd --help` lists in daprd 1.17.0 (recorded from the reference binary). */
const DAPRD_1_17_FLAGS = [
  'allowed-origins', 'app-channel-address', 'app-health-check-path', 'app-health-probe-interval', 'app-health-probe-timeout',
  'app-health-threshold', 'app-id', 'app-max-concurrency', 'app-port', 'app-protocol', 'build-info', 'config', 'control-plane-address',
  'control-plane-namespace', 'control-plane-trust-domain', 'dapr-block-shutdown-duration', 'dapr-graceful-shutdown-seconds',
  'dapr-grpc-port', 'dapr-http-port', 'dapr-internal-grpc-listen-address', 'dapr-internal-grpc-port', 'dapr-listen-addresses',
  'dapr-public-listen-address', 'dapr-public-port', 'disable-builtin-k8s-secret-store', 'disable-init-endpoints', 'enable-api-logging',
  'enable-app-health-check', 'enable-metrics', 'enable-mtls', 'enable-profiling', 'log-as-json', 'log-level', 'max-body-size',
  'metrics-listen-address', 'metrics-port', 'mode', 'placement-host-address', 'profile-port', 'read-buffer-size', 'resources-path',
  'scheduler-host-address', 'scheduler-job-streams', 'sentry-address', 'sentry-request-jwt-audiences', 'unix-domain-socket', 'version', 'wait',
];

const parse = (args: string[], form: 'run' | 'daprd' = 'run') => parseRunArgs(args, {}, '/work', form);

/** Status of a GET with one large header, over a plain socket so no client limit interferes. */
function statusWithHeader(url: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1.0/healthz`, { headers: { 'x-big': 'k'.repeat(bytes) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject).end();
  });
}

describe('mecha run as a daprd stand-in', () => {
  it('knows every flag daprd 1.17 accepts', () => {
    expect(DAPRD_1_17_FLAGS.filter((f) => !findFlag(f))).toEqual([]);
  });

  it("is described flag by flag in the README's table, the accepted-only flags in the list below it", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Running it'), readme.indexOf('## Components'));
    const tableRows = section.split('\n').filter((l) => l.startsWith('| `--'));
    for (const f of RUN_FLAGS) {
      const mentioned = f.noEffect ? section.includes(`\`--${f.name}\``) : tableRows.some((row) => row.split('|')[1]!.includes(`\`--${f.name}\``));
      expect(mentioned, `--${f.name}`).toBe(true);
    }
  });

  it('takes a negative number as the separate value of every int flag, as Go flags do', () => {
    for (const flag of RUN_FLAGS.filter((f) => f.kind === 'int')) {
      for (const args of [[`--${flag.name}`, '-1'], [`-${flag.name}`, '-1']]) {
        const outcome = (() => {
          try {
            parse(args);
            return 'accepted';
          } catch (err) {
            return err instanceof UsageError ? err.message : String(err);
          }
        })();
        // Either taken, or refused for its range: never "ambiguous" or "a value is required".
        expect(outcome, args.join(' ')).toBe(flag.min !== undefined && flag.min > -1 ? `--${flag.name}: -1 is out of range (${flag.min} to ${flag.max ?? '∞'})` : 'accepted');
      }
    }
    expect(parse(['--app-max-concurrency', '-1']).options.appMaxConcurrency).toBe(-1);
    expect(parse(['-app-max-concurrency', '-1', '--app-id', 'x']).options).toMatchObject({ appMaxConcurrency: -1, appId: 'x' });
  });

  it('reads sizes as Kubernetes quantities and durations as Go durations, and says what is wrong with a bad one', () => {
    expect(parse([]).options).toMatchObject({ maxRequestBytes: 4 * 1024 * 1024, maxHeaderBytes: 4096 });
    expect(parse(['--max-body-size', '16M', '--read-buffer-size', '1Ki']).options).toMatchObject({ maxRequestBytes: 16e6, maxHeaderBytes: 1024 });
    expect(parse(['--dapr-http-max-request-size', '2']).options.maxRequestBytes).toBe(2 * 1024 * 1024);
    expect(parse(['--dapr-http-max-request-size', '2', '--max-body-size', '1Mi']).options.maxRequestBytes).toBe(1024 * 1024);
    expect(parse(['--dapr-block-shutdown-duration', '1m30s']).options.blockShutdownMs).toBe(90_000);
    expect(() => parse(['--max-body-size', '4 MB'])).toThrow('--max-body-size: expected a size such as 4Mi');
    expect(() => parse(['--dapr-block-shutdown-duration', '10'])).toThrow('--dapr-block-shutdown-duration: expected a duration such as 10s');
  });

  it('picks free API ports with run and keeps daprd\'s 3500 and 50001 without it', () => {
    expect(parse([]).options).toMatchObject({ httpPort: 0, grpcPort: 0, metricsPort: 0 });
    expect(parse([], 'daprd').options).toMatchObject({ httpPort: 3500, grpcPort: 50001, metricsPort: 9090 });
    expect(parse(['--dapr-http-port', '3600'], 'run').options.httpPort).toBe(3600);
  });

  it('maps --app-ssl onto the protocol as the Dapr CLI does, and 0 as no app port', () => {
    expect(parse(['--app-ssl']).options.appProtocol).toBe('https');
    expect(parse(['--app-ssl', '--app-protocol', 'grpc']).options.appProtocol).toBe('grpcs');
    expect(parse(['--app-port', '0']).options.appPort).toBeUndefined();
  });

  it("comes up healthy with the flags the Dapr CLI's dapr run passes to daprd, warning once per flag without effect", async () => {
    const dir = resourcesDir({ 'state.yaml': component('statestore', 'state.in-memory') });
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: daprConfig\nspec: {}\n');
    // pkg/standalone/run.go getArgs(): the RunConfig fields in order, ports already chosen, sizes canonical.
    const m = await startMecha([
      '--app-id', 'cli-made', '--app-port', '0', '--profile-port', '-1', '--metrics-port', String(await freePort()),
      '--dapr-internal-grpc-port', String(await freePort()), '--config', config, '--app-protocol', 'http', '--log-level', 'info',
      '--app-max-concurrency', '-1', '--placement-host-address', 'localhost:50005', '--resources-path', dir, '--max-body-size', '4Mi',
      '--read-buffer-size', '4Ki', '--scheduler-host-address', 'localhost:50006', '--log-as-json',
    ]);
    try {
      const md = (await (await fetch(`${m.url}/v1.0/metadata`)).json()) as { id: string; appConnectionProperties: { maxConcurrency?: number } };
      expect(md.id).toBe('cli-made');
      const warnings = m.output().split('\n').filter((l) => l.includes('has no effect'));
      expect(warnings.map((l) => (JSON.parse(l) as { msg: string }).msg.split(' ')[0])).toEqual(['--placement-host-address', '--scheduler-host-address', '--profile-port']);
      expect((await fetch(`${m.url}/v1.0/state/statestore`, { method: 'POST', body: '[{"key":"k","value":1}]' })).status).toBe(204);
    } finally {
      await m.stop();
    }
  });

  it('limits bodies with --max-body-size and headers with --read-buffer-size (plus 4 KiB, as daprd)', async () => {
    const m = await startMecha(['--max-body-size', '1Mi', '--read-buffer-size', '1Ki'], { cwd: resourcesDir({}) });
    try {
      const body = (n: number) => JSON.stringify([{ key: 'big', value: 'x'.repeat(n) }]);
      expect((await fetch(`${m.url}/v1.0/state/statestore`, { method: 'POST', body: body(1.5 * 1024 * 1024) })).status).toBe(413);
      expect((await fetch(`${m.url}/v1.0/state/statestore`, { method: 'POST', body: body(512 * 1024) })).status).toBe(204);
      // Recorded from daprd --read-buffer-size 1Ki: 4000 header bytes pass, 5200 get 431.
      expect(await statusWithHeader(m.url, 4000)).toBe(204);
      expect(await statusWithHeader(m.url, 5200)).toBe(431);
    } finally {
      await m.stop();
    }
  });

  it('answers CORS for --allowed-origins as daprd does', async () => {
    const m = await startMecha(['--allowed-origins', 'http://a.example'], { cwd: resourcesDir({}) });
    try {
      const preflight = await fetch(`${m.url}/v1.0/state/statestore`, {
        method: 'OPTIONS',
        headers: { origin: 'http://a.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://a.example');
      expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
      const allowed = await fetch(`${m.url}/v1.0/healthz`, { headers: { origin: 'http://a.example' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://a.example');
      expect(allowed.headers.get('vary')).toBe('Origin');
      const other = await fetch(`${m.url}/v1.0/healthz`, { headers: { origin: 'http://b.example' } });
      expect(other.status).toBe(204);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await m.stop();
    }
    const open = await startMecha([], { cwd: resourcesDir({}) });
    try {
      // The default, *, adds no CORS handling at all (daprd answers a preflight like any unknown route).
      const res = await fetch(`${open.url}/v1.0/healthz`, { headers: { origin: 'http://a.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await open.stop();
    }
  });

  it('serves health and metadata, and nothing else, on --dapr-public-port', async () => {
    const publicPort = await freePort();
    const m = await startMecha(['--app-id', 'pub', '--dapr-public-port', String(publicPort)], { cwd: resourcesDir({}) });
    try {
      const pub = `http://127.0.0.1:${publicPort}`;
      expect((await fetch(`${pub}/v1.0/healthz`)).status).toBe(204);
      expect((await fetch(`${pub}/v1.0/healthz/outbound`)).status).toBe(204);
      expect(((await (await fetch(`${pub}/v1.0/metadata`)).json()) as { id: string }).id).toBe('pub');
      expect((await fetch(`${pub}/v1.0/metadata/team`, { method: 'PUT', body: 'blue' })).status).toBe(204);
      const state = await fetch(`${pub}/v1.0/state/statestore/k`);
      expect(state.status).toBe(404);
      expect(await state.text()).toBe('404 page not found\n');
      expect((await fetch(`${pub}/v1.0/shutdown`, { method: 'POST' })).status).toBe(404);
    } finally {
      await m.stop();
    }
  });

  it('keeps serving after SIGTERM for --dapr-block-shutdown-duration, and a second signal ends the wait', async () => {
    const m = await startMecha(['--dapr-block-shutdown-duration', '10m'], { cwd: resourcesDir({}) });
    m.proc.kill('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (!m.output().includes('blocking shutdown') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(m.output()).toContain('blocking shutdown');
    expect((await fetch(`${m.url}/v1.0/healthz`)).status).toBe(204);
    expect(await m.stop('SIGTERM')).toBe(0);
    expect(m.output()).toMatch(/shutdown block ended[\s\S]*why: "signal"/);
  });

  it('starts two mecha runs side by side on free ports and tells the app and the user which', async () => {
    const cwd = resourcesDir({});
    const app = join(cwd, 'app.mjs');
    writeFileSync(app, "console.log('ports', process.env.DAPR_HTTP_PORT, process.env.DAPR_GRPC_PORT); setInterval(() => {}, 1000);");
    const runs = [0, 1].map(() => {
      const proc = spawn(process.execPath, [MECHA_BIN, 'run', '--app-id', 'twin', '--', process.execPath, app], { cwd });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (out += d));
      return { proc, output: () => out, exited: new Promise((r) => proc.once('exit', r)) };
    });
    try {
      const ports = await Promise.all(
        runs.map(async (r) => {
          const deadline = Date.now() + 15_000;
          let found: RegExpExecArray | null = null;
          while (!(found = /HTTP API on port (\d+), gRPC API on port (\d+)[\s\S]*== APP == ports (\d+) (\d+)/.exec(r.output())) && Date.now() < deadline) {
            await new Promise((res) => setTimeout(res, 25));
          }
          expect(found, r.output()).not.toBeNull();
          expect([found![3], found![4]]).toEqual([found![1], found![2]]);
          expect((await fetch(`http://127.0.0.1:${found![1]}/v1.0/healthz`)).status).toBe(204);
          return [found![1], found![2]];
        }),
      );
      expect(new Set(ports.flat()).size).toBe(4);
    } finally {
      for (const r of runs) r.proc.kill('SIGTERM');
      await Promise.all(runs.map((r) => r.exited));
    }
  });

  it('says so when it has to kill an app that ignores SIGTERM', async () => {
    const cwd = resourcesDir({});
    const app = join(cwd, 'stubborn.mjs');
    writeFileSync(app, "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('up'); setInterval(() => {}, 1000);");
    const m = await startMecha(['--dapr-graceful-shutdown-seconds', '1', '--', process.execPath, app], { cwd });
    const deadline = Date.now() + 10_000;
    while (!m.output().includes('== APP == up') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await m.stop('SIGTERM');
    expect(m.output()).toContain('== APP == ignoring SIGTERM');
    expect(m.output()).toContain('the app did not exit on SIGTERM within the graceful-shutdown budget; killing it');
  });
});
