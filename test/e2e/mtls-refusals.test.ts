import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/security/ca.js';
import { newKeyPair, privateKeyPem } from '../../src/security/x509.js';
import { internalClient } from '../support/internal-client.js';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { startSentry, type SentryProcess } from '../support/sentry-process.js';

// Each refusal leaves a log line on the side that refuses: the callee for callers, the caller for callees.
const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const cwd = mkdtempSync(join(tmpdir(), 'mecha-mtls-refusals-'));
const CERTS = join(cwd, 'certs');
const servers: http2.Http2Server[] = [];
let sentry: SentryProcess;
let caller: MechaProcess;
let callee: MechaProcess;
let calleeInternalPort = 0;

/** Tells the caller's registry (the SQLite file under HOME) that `appId` answers at `port`. */
function register(appId: string, port: number): void {
  mkdirSync(join(HOME, '.mecha'), { recursive: true });
  const db = new Database(join(HOME, '.mecha', 'nameresolution.db'));
  db.prepare('INSERT OR REPLACE INTO hosts (registration_id, address, app_id, namespace, pid, last_update) VALUES (?, ?, ?, ?, ?, ?)').run(`test-${appId}`, `127.0.0.1:${port}`, appId, '', process.pid, Date.now() + 3_600_000);
  db.close();
}

/** An HTTP/2 server (TLS with `tls`, else plaintext) posing as `appId`'s sidecar. */
async function impostor(appId: string, tls?: { cert: string; key: string }): Promise<void> {
  const server = tls ? http2.createSecureServer({ ...tls, allowHTTP1: false }) : http2.createServer();
  server.on('stream', (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '0' }, { endStream: true }));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  register(appId, (server.address() as AddressInfo).port);
}

async function certificate(ca: CertificateAuthority, appId: string, ttlMs: number): Promise<{ cert: string; key: string }> {
  const keys = await newKeyPair();
  const issued = await ca.issue(keys.publicKey, { trustDomain: 'public', namespace: 'default', appId }, ttlMs, 0);
  return { cert: issued.chainPem, key: await privateKeyPem(keys.privateKey) };
}

beforeAll(async () => {
  sentry = await startSentry(CERTS, ['--workload-cert-ttl', '1h']);
  calleeInternalPort = await freePort();
  const env = { HOME, DAPR_TRUST_ANCHORS: sentry.trustAnchors };
  const mtls = ['--enable-mtls', '--sentry-address', sentry.address];
  [caller, callee] = await Promise.all([
    startMecha(['--app-id', 'caller', ...mtls], { cwd, env }),
    startMecha(['--app-id', 'callee', ...mtls, '--dapr-internal-grpc-port', String(calleeInternalPort), '--app-port', String(await freePort()), '--', process.execPath, ECHO_APP], { cwd, env, readyPath: '/v1.0/healthz' }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([caller?.stop(), callee?.stop()]);
  for (const s of servers) s.close();
  await sentry?.stop();
  rmSync(HOME, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

describe('refusals are logged by the side that refuses', () => {
  it('callee: a plaintext caller on the mTLS port', async () => {
    const client = internalClient(calleeInternalPort);
    const { err } = await client.callLocal('x', 'caller');
    client.close();
    expect(err).toBeDefined();
    await expect.poll(() => callee.output(), { timeout: 10_000 }).toMatch(/mTLS: refused a connection from 127\.0\.0\.1:\d+: .*not TLS/);
  });

  it('caller: a callee whose certificate comes from another CA', async () => {
    await impostor('foreign', await certificate(await CertificateAuthority.generate(), 'foreign', 3_600_000));
    const res = await fetch(`${caller.url}/v1.0/invoke/foreign/method/x`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(500);
    await expect.poll(() => caller.output(), { timeout: 10_000 }).toMatch(/mTLS: refused the sidecar answering for app "foreign": .*(UNABLE_TO|SELF_SIGNED)/);
  });

  it('caller: a callee with an expired certificate of our CA', async () => {
    const expired = await certificate(await CertificateAuthority.fromDirectory(CERTS, () => undefined), 'stale', 500);
    await new Promise((r) => setTimeout(r, 1_500));
    await impostor('stale', expired);
    const res = await fetch(`${caller.url}/v1.0/invoke/stale/method/x`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(500);
    await expect.poll(() => caller.output(), { timeout: 10_000 }).toContain('mTLS: refused the sidecar answering for app "stale": certificate has expired (CERT_HAS_EXPIRED)');
  });

  it('caller: a callee without TLS', async () => {
    await impostor('bare');
    const res = await fetch(`${caller.url}/v1.0/invoke/bare/method/x`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(500);
    await expect.poll(() => caller.output(), { timeout: 10_000 }).toMatch(/mTLS: refused the sidecar answering for app "bare": .*not TLS/);
  });
});
