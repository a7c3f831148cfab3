import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { freePort, runMecha, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

const dir = mkdtempSync(join(tmpdir(), 'mecha-sec-'));
writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ db: { password: 's3cr3t', file: join(dir, 'from-secret.db') }, apiKey: 'k', hidden: 'no' }));
writeFileSync(
  join(dir, 'config.yaml'),
  'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: { name: c }\nspec:\n  secrets:\n    scopes:\n      - storeName: files\n        defaultAccess: allow\n        deniedSecrets: [hidden]\n',
);
const secretStore = component('files', 'secretstores.local.file', { secretsFile: join(dir, 'secrets.json') });
// A state store whose connection string comes from the secret store.
const stateFromSecret = `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: secured
spec:
  type: state.sqlite
  version: v1
  metadata:
    - name: connectionString
      secretKeyRef: { name: "db:file", key: "db:file" }
auth:
  secretStore: files
`;

let mecha: MechaProcess;
const get = async (path: string) => {
  const res = await fetch(`${mecha.url}${path}`);
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>) };
};

beforeAll(async () => {
  mecha = await startMecha(['--app-id', 'sec', '--resources-path', resourcesDir({ 'a.yaml': secretStore, 'b.yaml': stateFromSecret }), '--config', join(dir, 'config.yaml')]);
});

afterAll(() => mecha?.stop());

describe('secrets API', () => {
  it('reads one secret and every allowed secret', async () => {
    expect(await get('/v1.0/secrets/files/apiKey')).toEqual({ status: 200, body: { apiKey: 'k' } });
    expect(await get('/v1.0/secrets/files/db:password')).toEqual({ status: 200, body: { 'db:password': 's3cr3t' } });
    const bulk = await get('/v1.0/secrets/files/bulk');
    expect(bulk.body).toMatchObject({ apiKey: { apiKey: 'k' } });
    expect(bulk.body?.hidden).toBeUndefined();
  });

  it('answers the documented errors', async () => {
    expect(await get('/v1.0/secrets/files/hidden')).toMatchObject({ status: 403, body: { errorCode: 'ERR_PERMISSION_DENIED' } });
    expect(await get('/v1.0/secrets/nope/x')).toMatchObject({ status: 401, body: { errorCode: 'ERR_SECRET_STORE_NOT_FOUND' } });
    expect(await get('/v1.0/secrets/files/missing')).toMatchObject({ status: 500, body: { errorCode: 'ERR_SECRET_GET' } });
  });

  it('configures components from secrets without showing the values', async () => {
    const save = await fetch(`${mecha.url}/v1.0/state/secured`, { method: 'POST', body: JSON.stringify([{ key: 'k', value: 1 }]) });
    expect(save.status).toBe(204);
    const metadata = await (await fetch(`${mecha.url}/v1.0/metadata`)).text();
    expect(metadata).not.toContain('from-secret.db');
    expect(mecha.output()).not.toContain('s3cr3t');
  });

  it('serves GetSecret and GetBulkSecret over gRPC', async () => {
    const dapr = daprClient(mecha.grpcPort);
    try {
      expect(await dapr.call('GetSecret', { store_name: 'files', key: 'apiKey' })).toEqual({ data: { apiKey: 'k' } });
      const bulk = await dapr.call<{ data: Record<string, { secrets: Record<string, string> }> }>('GetBulkSecret', { store_name: 'files' });
      expect(bulk.data.apiKey).toEqual({ secrets: { apiKey: 'k' } });
    } finally {
      dapr.close();
    }
  });

  it('answers 500 ERR_SECRET_STORES_NOT_CONFIGURED without secret stores', async () => {
    const bare = await startMecha(['--resources-path', resourcesDir({})]);
    try {
      const res = await fetch(`${bare.url}/v1.0/secrets/x/y`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { errorCode: string }).errorCode).toBe('ERR_SECRET_STORES_NOT_CONFIGURED');
    } finally {
      await bare.stop();
    }
  });

  it('stops at startup when a referenced secret is missing, naming the component and field', async () => {
    const missing = stateFromSecret.replace('db:file', 'db:none').replace('db:file', 'db:none');
    const res = await runMecha(['run', '--resources-path', resourcesDir({ 'a.yaml': secretStore, 'b.yaml': missing }), '--dapr-http-port', String(await freePort())]);
    expect(res.code).toBe(1);
    expect(res.output).toContain('spec.metadata[0].secretKeyRef');
    expect(res.output).toContain('component "secured"');
  });
});
