import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { startSentry, type SentryProcess } from '../support/sentry-process.js';

interface RecordedCall {
  caller: string;
  method: string;
  path: string;
  status: number;
  errorCode?: string;
  message?: string;
}
// daprd 1.17's answers to the same calls under the same Configuration, recorded with mTLS on.
const recorded = JSON.parse(readFileSync(new URL('../fixtures/daprd-mtls-access-control.json', import.meta.url), 'utf8')) as { configuration: object; calls: RecordedCall[] };

const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const cwd = mkdtempSync(join(tmpdir(), 'mecha-mtls-acl-'));
const sidecars: Record<string, MechaProcess> = {};
let sentry: SentryProcess;

beforeAll(async () => {
  sentry = await startSentry(join(cwd, 'certs'), ['--workload-cert-ttl', '1h']);
  const config = join(cwd, 'inventory.yaml');
  writeFileSync(config, stringify({ apiVersion: 'dapr.io/v1alpha1', kind: 'Configuration', metadata: { name: 'inventory-access' }, spec: { accessControl: recorded.configuration } }));
  const start = async (appId: string, extra: string[] = []) =>
    (sidecars[appId] = await startMecha(['--app-id', appId, '--enable-mtls', '--sentry-address', sentry.address, ...extra], {
      cwd,
      env: { HOME, DAPR_TRUST_ANCHORS: sentry.trustAnchors },
      readyPath: extra.length ? '/v1.0/healthz' : undefined,
    }));
  await Promise.all([start('inventory', ['--app-port', String(await freePort()), '--config', config, '--', process.execPath, ECHO_APP]), start('orders'), start('other')]);
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(sidecars).map((s) => s.stop()));
  await sentry?.stop();
  rmSync(HOME, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

describe('access control by SPIFFE id, as daprd decides and answers', () => {
  for (const call of recorded.calls) {
    it(`${call.caller}: ${call.method} ${call.path} → ${call.status}`, async () => {
      const res = await fetch(`${sidecars[call.caller].url}${call.path}`, { method: call.method, body: call.method === 'GET' ? undefined : '{"sku":"a1"}', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(call.status);
      const body = (await res.json()) as { errorCode?: string; message?: string; app?: string };
      if (call.status === 200) expect(body.app).toBe('inventory');
      else expect(body).toEqual({ errorCode: call.errorCode, message: call.message });
    });
  }
});
