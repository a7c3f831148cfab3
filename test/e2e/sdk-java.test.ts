import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type MechaProcess } from '../support/mecha-process.js';
import { javaSdk } from '../support/sdk-java.js';
import { SDK_COMPONENTS, SDK_CONFIG, SDK_SECRETS, startSdkSidecar } from '../support/sdk-resources.js';
import { runReport } from '../support/sdk-toolchains.js';

// The Java SDK's DaprClient (gRPC, invocation over HTTP) against the sidecar, with the HTTP echo app.
const APP_ID = 'java-app';
const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const toolchain = await javaSdk();
if ('skip' in toolchain) process.stderr.write(`[sdk-java] skipped: ${toolchain.skip}\n`);

describe.skipIf('skip' in toolchain)('the Java SDK (DaprClient)', () => {
  let sidecar: MechaProcess;
  let report: Record<string, unknown>;

  beforeAll(async () => {
    if ('skip' in toolchain) return;
    const { java, classpath, client } = toolchain.ready;
    sidecar = await startSdkSidecar(['--app-id', APP_ID, '--app-port', String(await freePort())], [process.execPath, ECHO_APP], { readyPath: '/v1.0/healthz' });
    const env = { DAPR_GRPC_PORT: String(sidecar.grpcPort), DAPR_HTTP_PORT: String(sidecar.httpPort) };
    report = await runReport(java, ['-cp', classpath, client, APP_ID], env);
  });

  afterAll(async () => {
    await sidecar?.stop();
  });

  it('saves, reads and deletes state with ETags, in bulk and in a transaction', () => {
    expect(report.state).toEqual({
      first: 'v1',
      staleSave: { errorCode: 'ABORTED', reason: 'ERR_STATE_SAVE' },
      second: 'v2',
      etagChanged: true,
      staleDelete: { errorCode: 'ABORTED', reason: 'ERR_STATE_DELETE' },
      afterDeleteIsNull: true,
    });
    expect(report.bulkAndTransaction).toEqual({ 'java-t1': 't1', 'java-t2': 't2', 'java-missing': '' });
  });

  it('publishes, invokes the app, and reads metadata, secrets, configuration and lock', () => {
    expect(report.publish).toBe(0);
    expect(report.invoke).toMatchObject({ app: APP_ID, method: 'POST', url: '/orders', body: 'hello' });
    expect(report.metadata).toEqual({ appId: APP_ID, components: SDK_COMPONENTS });
    expect(report.secrets).toEqual({ 'db-password': SDK_SECRETS['db-password'] });
    expect(report.configuration).toEqual(SDK_CONFIG.greeting);
    expect(report.lock).toEqual({ first: true, second: false, unlock: 'SUCCESS' });
  });

  it('gets the Dapr error code of a missing state store', () => {
    expect(report.missingStore).toEqual({ errorCode: 'INVALID_ARGUMENT', reason: 'DAPR_STATE_NOT_FOUND' });
  });
});
