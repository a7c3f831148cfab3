import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { startSentry, type SentryProcess } from '../support/sentry-process.js';

const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const cwd = mkdtempSync(join(tmpdir(), 'mecha-rotation-'));
// Certificates live 6 s, so a sidecar renews every ~4.2 s (70% of the lifetime, as daprd), leaving a
// loaded machine almost two seconds to do it.
const TTL = '6s';

let sentry: SentryProcess;
let caller: MechaProcess;
let callee: MechaProcess;

/** A sidecar without an app: a caller. */
const start = (appId: string) =>
  startMecha(['--app-id', appId, '--enable-mtls', '--sentry-address', sentry.address], {
    cwd,
    env: { HOME, DAPR_TRUST_ANCHORS: sentry.trustAnchors },
  });

const renewals = (m: MechaProcess) => m.output().split('mTLS workload: certificate valid until').length - 1;

beforeAll(async () => {
  sentry = await startSentry(join(cwd, 'certs'), ['--workload-cert-ttl', TTL, '--allowed-clock-skew', '0s']);
  const appPort = await freePort();
  [caller, callee] = await Promise.all([
    start('caller'),
    startMecha(['--app-id', 'callee', '--enable-mtls', '--sentry-address', sentry.address, '--app-port', String(appPort), '--', process.execPath, ECHO_APP], {
      cwd,
      env: { HOME, DAPR_TRUST_ANCHORS: sentry.trustAnchors },
      readyPath: '/v1.0/healthz',
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([caller?.stop(), callee?.stop()]);
  await sentry?.stop();
  rmSync(HOME, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

describe('certificate rotation under traffic', () => {
  it('renews both sidecars’ certificates while calls flow, without one failed call', async () => {
    const failures: string[] = [];
    let calls = 0;
    const until = Date.now() + 14_000;
    // Four callers in parallel, each bounded in time and count.
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = 0; i < 2_000 && Date.now() < until; i++) {
          const streamed = i % 2 === 1;
          const body = streamed ? new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(`w${worker}`)), c.close()) }) : `w${worker}`;
          const res = await fetch(`${caller.url}/v1.0/invoke/callee/method/tick`, { method: 'POST', body, duplex: 'half' } as RequestInit).catch((err: Error) => err);
          calls++;
          if (res instanceof Error) failures.push(res.message);
          else if (res.status !== 200) failures.push(`${res.status} ${await res.text()}`);
          else await res.arrayBuffer();
        }
      }),
    );
    // On a failure, what the callee went through (whether it still runs, its last log lines) comes with it.
    const calleeState = () => `callee ${callee.proc.exitCode ?? callee.proc.signalCode ?? 'running'}:\n${callee.output().slice(-4000)}`;
    expect(failures.slice(0, 5), calleeState()).toEqual([]);
    expect(calls).toBeGreaterThan(20);
    // The first certificate and at least two renewals each.
    expect(renewals(caller)).toBeGreaterThanOrEqual(3);
    expect(renewals(callee)).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('lets a sidecar started later connect to the renewed identities', async () => {
    const late = await start('late');
    try {
      const res = await fetch(`${late.url}/v1.0/invoke/callee/method/late`, { method: 'POST', body: 'x' });
      expect(res.status).toBe(200);
    } finally {
      await late.stop();
    }
  }, 30_000);
});
