import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { startSentry, type SentryProcess } from '../support/sentry-process.js';

// The reference daprd 1.17 (DAPRD=/path/to/daprd, or daprd on PATH); without it this file is skipped.
function findDaprd(): string | undefined {
  const candidates = [process.env.DAPRD, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'daprd'))].filter((p): p is string => Boolean(p));
  return candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const DAPRD = findDaprd();
const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'mecha-mtls-daprd-'));
const DAPRD_NAMES = join(cwd, 'daprd-names.db');
const MECHA_NAMES = join(cwd, 'mecha-names.db');
const running: Array<() => unknown> = [];

let sentry: SentryProcess;
let mecha: MechaProcess;
let daprdUrl: string;
let daprdOutput = '';
let daprdPid = 0;
let daprdInternalPort = 0;
let mechaInternalPort = 0;

/** A Configuration selecting SQLite name resolution in `file`. */
function namesConfig(file: string): string {
  const path = `${file}.yaml`;
  writeFileSync(path, `apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: { name: names }\nspec:\n  nameResolution:\n    component: sqlite\n    configuration:\n      connectionString: "${file}"\n`);
  return path;
}

/** daprd (with its app, the echo app) on loopback, getting its certificate from our Sentry; resolves once healthy (bounded). */
async function startDaprd(appId: string): Promise<void> {
  const [appPort, httpPort, grpcPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  daprdInternalPort = await freePort();
  const app = spawn(process.execPath, [ECHO_APP], { env: { ...process.env, APP_PORT: String(appPort), APP_ID: appId } });
  running.push(() => app.kill());
  const args = ['--app-id', appId, '--app-port', String(appPort), '--dapr-http-port', String(httpPort), '--dapr-grpc-port', String(grpcPort), '--metrics-port', String(metricsPort), '--dapr-internal-grpc-port', String(daprdInternalPort)];
  const loopback = ['--dapr-listen-addresses', '127.0.0.1', '--dapr-internal-grpc-listen-address', '127.0.0.1', '--metrics-listen-address', '127.0.0.1', '--placement-host-address', '', '--scheduler-host-address', ''];
  const proc: ChildProcess = spawn(DAPRD!, [...args, ...loopback, '--config', namesConfig(DAPRD_NAMES), '--enable-mtls', '--sentry-address', sentry.address], {
    env: { ...process.env, DAPR_TRUST_ANCHORS: sentry.trustAnchors, DAPR_HOST_IP: '127.0.0.1' },
  });
  running.push(() => proc.kill());
  daprdPid = proc.pid!;
  proc.stdout!.on('data', (d) => (daprdOutput += d));
  proc.stderr!.on('data', (d) => (daprdOutput += d));
  daprdUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`daprd exited:\n${daprdOutput}`);
    const ok = await fetch(`${daprdUrl}/v1.0/healthz`).then((r) => r.status === 204, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`daprd did not turn healthy:\n${daprdOutput}`);
}

describe.skipIf(!DAPRD)('mTLS between Mecha and daprd under one Mecha Sentry', () => {
  beforeAll(async () => {
    sentry = await startSentry(join(cwd, 'certs'), ['--workload-cert-ttl', '1h']);
    await startDaprd('from-daprd');
    mechaInternalPort = await freePort();
    const flags = ['--app-id', 'from-mecha', '--app-port', String(await freePort()), '--dapr-internal-grpc-port', String(mechaInternalPort), '--config', namesConfig(MECHA_NAMES)];
    mecha = await startMecha([...flags, '--enable-mtls', '--sentry-address', sentry.address, '--', process.execPath, ECHO_APP], {
      cwd,
      env: { HOME: cwd, DAPR_TRUST_ANCHORS: sentry.trustAnchors },
      readyPath: '/v1.0/healthz',
    });
    // The two SQLite registries differ in layout, so each sidecar is told of the other in its own file,
    // as the other would register itself (daprd counts seconds, Mecha milliseconds and checks the pid).
    const later = Date.now() + 3_600_000;
    const daprdNames = new Database(DAPRD_NAMES);
    daprdNames.prepare('INSERT INTO hosts (registration_id, address, app_id, namespace, last_update) VALUES (?, ?, ?, ?, ?)').run('mecha-side', `127.0.0.1:${mechaInternalPort}`, 'from-mecha', 'default', Math.floor(later / 1000));
    daprdNames.close();
    const mechaNames = new Database(MECHA_NAMES);
    mechaNames.prepare('INSERT INTO hosts (registration_id, address, app_id, namespace, pid, last_update) VALUES (?, ?, ?, ?, ?, ?)').run('daprd-side', `127.0.0.1:${daprdInternalPort}`, 'from-daprd', 'default', daprdPid, later);
    mechaNames.close();
  }, 90_000);

  afterAll(async () => {
    await mecha?.stop();
    for (const stop of running) stop();
    await sentry?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('lets daprd get its certificate from mecha sentry', () => {
    expect(sentry.output()).toContain('issued a workload certificate for spiffe://public/ns/default/from-daprd');
  });

  it('invokes daprd from Mecha', async () => {
    const res = await fetch(`${mecha.url}/v1.0/invoke/from-daprd/method/orders?x=1`, { method: 'POST', body: 'to daprd', headers: { 'content-type': 'text/plain' } });
    const echo = (await res.json()) as { app: string; body: string; url: string; headers: Record<string, string> };
    expect(res.status).toBe(200);
    expect(echo).toMatchObject({ app: 'from-daprd', body: 'to daprd', url: '/orders?x=1' });
    expect(echo.headers['dapr-caller-app-id']).toBe('from-mecha');
  });

  it('invokes Mecha from daprd', async () => {
    const res = await fetch(`${daprdUrl}/v1.0/invoke/from-mecha/method/items`, { method: 'PUT', body: 'to mecha', headers: { 'content-type': 'text/plain' } });
    const echo = (await res.json()) as { app: string; body: string; method: string; headers: Record<string, string> };
    expect(res.status).toBe(200);
    expect(echo).toMatchObject({ app: 'from-mecha', body: 'to mecha', method: 'PUT' });
    expect(echo.headers['dapr-caller-app-id']).toBe('from-daprd');
  });
});
