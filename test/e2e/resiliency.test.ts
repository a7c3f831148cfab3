import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { resourcesDir } from '../support/resources.js';

const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));

const RESILIENCY = `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: policies
spec:
  policies:
    retries:
      threeQuick: { policy: constant, duration: 20ms, maxRetries: 3 }
      onlyOnce: { policy: constant, duration: 20ms, maxRetries: 1, matching: { httpStatusCodes: "503" } }
    circuitBreakers:
      twoStrikes: { maxRequests: 1, timeout: 600ms, trip: "consecutiveFailures >= 2" }
  targets:
    apps:
      retried: { retry: threeQuick }
      once: { retry: onlyOnce }
      guarded: { circuitBreaker: twoStrikes }
`;

let caller: MechaProcess;
const callees: MechaProcess[] = [];

async function callee(appId: string): Promise<MechaProcess> {
  const appPort = await freePort();
  const m = await startMecha(['--app-id', appId, '--app-port', String(appPort), '--', process.execPath, ECHO_APP], { cwd: HOME, env: { HOME }, readyPath: '/v1.0/healthz' });
  callees.push(m);
  return m;
}

const calls = async (target: string, key: string) =>
  ((await (await fetch(`${caller.url}/v1.0/invoke/${target}/method/calls/${key}`)).json()) as { calls: number }).calls;

beforeAll(async () => {
  await Promise.all([callee('retried'), callee('once'), callee('guarded')]);
  caller = await startMecha(['--app-id', 'resilient-caller', '--resources-path', resourcesDir({ 'resiliency.yaml': RESILIENCY })], { cwd: HOME, env: { HOME } });
});

afterAll(async () => {
  await Promise.all([caller?.stop(), ...callees.map((c) => c.stop())]);
  rmSync(HOME, { recursive: true, force: true });
});

describe('resiliency policies on service invocation', () => {
  it('retries a failing answer until the app succeeds, counting every attempt', async () => {
    const res = await fetch(`${caller.url}/v1.0/invoke/retried/method/flaky/2/a`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ calls: 3 });
  });

  it('stops at maxRetries and relays the last answer verbatim', async () => {
    const res = await fetch(`${caller.url}/v1.0/invoke/once/method/flaky/5/b`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ calls: 2 });
  });

  it('opens the circuit after two failures, refuses without calling the app, then half-opens', async () => {
    for (let i = 0; i < 2; i++) expect((await fetch(`${caller.url}/v1.0/invoke/guarded/method/flaky/2/c`, { method: 'POST', body: 'x' })).status).toBe(503);
    const refused = await fetch(`${caller.url}/v1.0/invoke/guarded/method/flaky/2/c`, { method: 'POST', body: 'x' });
    expect(refused.status).toBe(500);
    expect(await refused.json()).toMatchObject({ errorCode: 'ERR_DIRECT_INVOKE', message: expect.stringContaining('circuit breaker is open') });
    await new Promise((r) => setTimeout(r, 700));
    const probe = await fetch(`${caller.url}/v1.0/invoke/guarded/method/flaky/2/c`, { method: 'POST', body: 'x' });
    expect(probe.status).toBe(200);
    expect(await calls('guarded', 'c')).toBe(3);
  });
});
