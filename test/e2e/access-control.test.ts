import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runMecha, startMecha, type MechaProcess } from '../support/mecha-process.js';

const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mecha-acl-'));
// The registry file is chosen by Configuration here, not by $HOME.
const registry = join(dir, 'registry.db');
const env = { HOME: dir, REGISTRY_FILE: registry };

const shared = `  nameResolution:
    component: sqlite
    configuration:
      connectionString: \${REGISTRY_FILE}
`;
writeFileSync(join(dir, 'callee.yaml'), `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: guarded
spec:
${shared}  accessControl:
    defaultAction: deny
    trustDomain: public
    policies:
      - appId: friend
        defaultAction: deny
        trustDomain: public
        operations:
          - name: /public/**
            httpVerb: ['GET']
            action: allow
          - name: /orders/*
            httpVerb: ['*']
            action: allow
`);
writeFileSync(join(dir, 'caller.yaml'), `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: plain
spec:
${shared}`);

let callee: MechaProcess;
let friend: MechaProcess;
let stranger: MechaProcess;

beforeAll(async () => {
  const appPort = await freePort();
  callee = await startMecha(['--app-id', 'vault', '--app-port', String(appPort), '--config', join(dir, 'callee.yaml'), '--', process.execPath, ECHO_APP], { cwd: dir, env, readyPath: '/v1.0/healthz' });
  [friend, stranger] = await Promise.all([
    startMecha(['--app-id', 'friend', '--config', join(dir, 'caller.yaml')], { cwd: dir, env }),
    startMecha(['--app-id', 'stranger', '--config', join(dir, 'caller.yaml')], { cwd: dir, env }),
  ]);
});

afterAll(async () => {
  await Promise.all([callee?.stop(), friend?.stop(), stranger?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('access control on the callee', () => {
  it('allows the operations and verbs a policy allows', async () => {
    expect((await fetch(`${friend.url}/v1.0/invoke/vault/method/public/a/b`)).status).toBe(200);
    expect((await fetch(`${friend.url}/v1.0/invoke/vault/method/orders/7`, { method: 'DELETE' })).status).toBe(200);
  });

  it('denies other verbs, other paths and callers without a policy with 403 ERR_DIRECT_INVOKE', async () => {
    for (const [m, url] of [
      [friend, '/v1.0/invoke/vault/method/public/a'],
      [friend, '/v1.0/invoke/vault/method/private'],
      [friend, '/v1.0/invoke/vault/method/orders/7/items'],
      [stranger, '/v1.0/invoke/vault/method/public/a'],
    ] as const) {
      const res = await fetch(`${m.url}${url}`, { method: url.endsWith('public/a') && m === friend ? 'POST' : 'GET', body: url.endsWith('public/a') && m === friend ? 'x' : undefined });
      expect(res.status, url).toBe(403);
      expect(((await res.json()) as { errorCode: string }).errorCode).toBe('ERR_DIRECT_INVOKE');
    }
  });

  it('reports a bad configuration file naming the file and field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nspec:\n  accessControl:\n    defaultAction: maybe\n');
    const res = await runMecha(['run', '--config', bad, '--dapr-http-port', String(await freePort())], { cwd: dir, env });
    expect(res.code).toBe(1);
    // Run from the file's folder, the file is named as typed: relative to the working directory.
    expect(res.output).toContain(`- bad.yaml: spec.accessControl.defaultAction: must be one of "allow", "deny"`);
  });
});
