import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort, MECHA_BIN } from '../support/mecha-process.js';
import { startSentry, type SentryProcess } from '../support/sentry-process.js';

const cwd = mkdtempSync(join(tmpdir(), 'mecha-sentry-wait-'));
const stops: Array<() => unknown> = [];

afterAll(async () => {
  for (const stop of stops) await stop();
  rmSync(cwd, { recursive: true, force: true });
});

/** Polls `check` every 100 ms until it holds or `ms` pass. */
async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

it('waits at start for a Sentry it cannot reach, as daprd does, and starts once Sentry is up', async () => {
  // Credentials made by a first run of Sentry, which is then stopped: its port now refuses connections.
  const sentryPort = await freePort();
  const first = await startSentry(join(cwd, 'certs'), [], sentryPort);
  await first.stop();
  const httpPort = await freePort();
  const proc = spawn(process.execPath, [MECHA_BIN, 'run', '--app-id', 'patient', '--dapr-http-port', String(httpPort), '--dapr-grpc-port', String(await freePort()), '--enable-mtls', '--sentry-address', `127.0.0.1:${sentryPort}`], {
    cwd,
    env: { ...process.env, HOME: cwd, DAPR_TRUST_ANCHORS: readFileSync(join(cwd, 'certs', 'ca.crt'), 'utf8') },
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  stops.push(() => proc.exitCode === null && proc.kill('SIGKILL'));

  expect(await until(() => out.includes('still waiting for sentry'), 40_000), out).toBe(true);
  expect(out).toContain(`requesting a certificate from sentry at 127.0.0.1:${sentryPort} failed`);
  expect(proc.exitCode).toBeNull();

  const sentry: SentryProcess = await startSentry(join(cwd, 'certs'), [], sentryPort);
  stops.unshift(() => sentry.stop());
  expect(await until(() => fetch(`http://127.0.0.1:${httpPort}/v1.0/healthz/outbound`).then((r) => r.status === 204, () => false), 60_000), out).toBe(true);
  expect(out).toContain('sidecar-to-sidecar calls use the identity spiffe://public/ns/default/patient');
}, 150_000);
