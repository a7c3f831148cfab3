import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type MechaProcess } from '../support/mecha-process.js';
import { pythonSdk } from '../support/sdk-python.js';
import { SDK_COMPONENTS, SDK_CONFIG, SDK_SECRETS, pollUntil, startSdkSidecar } from '../support/sdk-resources.js';
import { runReport } from '../support/sdk-toolchains.js';

// The Python SDK against the sidecar: DaprClient over gRPC, and a dapr.ext.grpc.App as the app
// (`--app-protocol grpc`), which must receive the events it subscribes to on its default route, on a
// routing rule and in bulk.
const APP_ID = 'python-app';
const APP = fileURLToPath(new URL('./sdk/python/app.py', import.meta.url));
const CLIENT = fileURLToPath(new URL('./sdk/python/client.py', import.meta.url));
const toolchain = await pythonSdk();
if ('skip' in toolchain) process.stderr.write(`[sdk-python] skipped: ${toolchain.skip}\n`);

type Received = { kind: string; handler?: string; topic?: string; pubsub?: string; id?: string; type?: string; data?: unknown; name?: string };

describe.skipIf('skip' in toolchain)('the Python SDK (DaprClient, dapr.ext.grpc.App)', () => {
  const python = 'ready' in toolchain ? toolchain.ready : '';
  let sidecar: MechaProcess;
  let report: Record<string, unknown>;
  const received = async () => (await (await fetch(`${sidecar.url}/v1.0/invoke/${APP_ID}/method/received`)).json()) as Received[];

  beforeAll(async () => {
    sidecar = await startSdkSidecar(['--app-id', APP_ID, '--app-port', String(await freePort()), '--app-protocol', 'grpc'], [python, APP], {
      bulkRoute: 'on_bulk',
      env: { PYTHONUNBUFFERED: '1' },
      readyPath: '/v1.0/healthz',
    });
    const env = { DAPR_RUNTIME_HOST: '127.0.0.1', DAPR_HTTP_PORT: String(sidecar.httpPort), DAPR_GRPC_PORT: String(sidecar.grpcPort), PYTHONWARNINGS: 'ignore' };
    report = await runReport(python, [CLIENT, APP_ID], env);
  });

  afterAll(async () => {
    await sidecar?.stop();
  });

  it('saves, reads and deletes state with ETags', () => {
    expect(report.state).toEqual({
      first: 'v1',
      firstEtag: expect.stringMatching(/.+/),
      staleSave: { grpc: 'ABORTED', errorCode: 'ERR_STATE_SAVE' },
      second: 'v2',
      etagChanged: true,
      staleDelete: { grpc: 'ABORTED', errorCode: 'ERR_STATE_DELETE' },
      afterDelete: '',
      afterDeleteEtag: '',
    });
  });

  it('saves and reads state in bulk and runs a transaction', () => {
    expect(report.bulkState).toEqual([
      { key: 'py-b1', data: 'one', hasEtag: true },
      { key: 'py-b2', data: 'two', hasEtag: true },
      { key: 'py-missing', data: '', hasEtag: false },
    ]);
    expect(report.transaction).toEqual({ t1: 't1', b1: '' });
  });

  it('invokes the app, output bindings, secrets, metadata, lock and configuration', () => {
    expect(report.invoke).toEqual({ data: 'hello', contentType: 'text/plain' });
    expect(report.bindings).toBe('file body');
    expect(report.secrets).toEqual({ one: { 'db-password': SDK_SECRETS['db-password'] }, bulkKeys: Object.keys(SDK_SECRETS).sort() });
    expect(report.metadata).toEqual({ appId: APP_ID, components: SDK_COMPONENTS });
    expect(report.lock).toEqual({ first: true, second: false, unlockByOther: 'lock_belongs_to_others', unlock: 'success' });
    expect(report.configuration).toEqual(SDK_CONFIG);
  });

  // error_code() reads the ErrorInfo reason: what daprd 1.17 sends was recorded with this client.
  it('gets the Dapr error code of a missing state store', () => {
    expect(report.missingStore).toEqual({ grpc: 'INVALID_ARGUMENT', errorCode: 'DAPR_STATE_NOT_FOUND' });
  });

  it('delivers published events to the app: default route, routing rule and bulk', async () => {
    expect(report.publish).toBe('ok');
    expect(report.bulkPublish).toEqual({ failed: 0 });
    const events = await pollUntil(received, (r) => r.filter((e) => e.kind === 'event').length >= 5);
    const byHandler = (h: string) => events.filter((e) => e.handler === h).map((e) => e.data);
    expect(byHandler('orders')).toEqual([{ order: 1 }]);
    expect(byHandler('urgent')).toEqual([{ order: 2 }]);
    expect(events.find((e) => e.handler === 'urgent')).toMatchObject({ id: 'py-urgent-1', type: 'urgent', topic: 'alerts', pubsub: 'pubsub' });
    expect(byHandler('on_bulk')).toEqual(expect.arrayContaining([{ n: 0 }, { n: 1 }, { n: 2 }]));
    expect(events.filter((e) => e.kind === 'event')).toHaveLength(5);
  });

  it('delivers input binding events to the app', async () => {
    const events = await pollUntil(received, (r) => r.some((e) => e.kind === 'binding'));
    expect(events).toContainEqual({ kind: 'binding', name: 'ticks' });
  });
});
