import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type MechaProcess } from '../support/mecha-process.js';
import { goSdkProgram } from '../support/sdk-go.js';
import { SDK_COMPONENTS, SDK_CONFIG, SDK_SECRETS, pollUntil, startSdkSidecar } from '../support/sdk-resources.js';
import { runReport } from '../support/sdk-toolchains.js';

// The Go SDK against the sidecar: its client package over gRPC, and a service/grpc app receiving events
// on a subscription's default route and on a routing rule (test/e2e/sdk/go).
const APP_ID = 'go-app';
const toolchain = await goSdkProgram();
if ('skip' in toolchain) process.stderr.write(`[sdk-go] skipped: ${toolchain.skip}\n`);

type Received = { kind: string; handler?: string; topic?: string; pubsub?: string; id?: string; type?: string; data?: unknown; name?: string };

describe.skipIf('skip' in toolchain)('the Go SDK (client, service/grpc)', () => {
  const program = 'ready' in toolchain ? toolchain.ready : '';
  let sidecar: MechaProcess;
  let report: Record<string, unknown>;
  const received = async () => (await (await fetch(`${sidecar.url}/v1.0/invoke/${APP_ID}/method/received`)).json()) as Received[];

  beforeAll(async () => {
    sidecar = await startSdkSidecar(['--app-id', APP_ID, '--app-port', String(await freePort()), '--app-protocol', 'grpc'], [program, 'app'], { readyPath: '/v1.0/healthz' });
    report = await runReport(program, ['client', APP_ID], { DAPR_GRPC_PORT: String(sidecar.grpcPort) });
  });

  afterAll(async () => {
    await sidecar?.stop();
  });

  it('saves, reads and deletes state with ETags, in bulk and in a transaction', () => {
    expect(report.state).toEqual({
      first: 'v1',
      hasEtag: true,
      staleSave: { grpc: 'Aborted', errorCode: 'ERR_STATE_SAVE' },
      second: 'v2',
      etagChanged: true,
      staleDelete: { grpc: 'Aborted', errorCode: 'ERR_STATE_DELETE' },
      afterDelete: '',
    });
    expect(report.bulkState).toEqual({ 'go-b1': 'one', 'go-b2': 'two', 'go-missing': '' });
    expect(report.transaction).toEqual({ t1: 't1', b1: '' });
  });

  it('invokes the app and reads metadata, lock, configuration and secrets', () => {
    expect(report.invoke).toEqual({ data: 'hello', contentType: 'text/plain', verb: 'POST' });
    expect(report.metadata).toEqual({ appId: APP_ID, components: SDK_COMPONENTS });
    expect(report.lock).toEqual({ first: true, second: false, unlock: 'SUCCESS' });
    expect(report.configuration).toEqual(SDK_CONFIG.greeting);
    expect(report.secrets).toEqual({ 'db-password': SDK_SECRETS['db-password'] });
  });

  it('gets the Dapr error code of a missing state store', () => {
    expect(report.missingStore).toEqual({ grpc: 'InvalidArgument', errorCode: 'DAPR_STATE_NOT_FOUND' });
  });

  it('delivers published and bulk-published events to the app: default route and routing rule', async () => {
    expect(report.publish).toBe('ok');
    expect(report.bulkPublish).toEqual({ failed: 0 });
    const events = await pollUntil(received, (r) => r.filter((e) => e.kind === 'event').length >= 4);
    const byHandler = (h: string) => events.filter((e) => e.handler === h).map((e) => e.data);
    expect(byHandler('orders')).toEqual(expect.arrayContaining([{ order: 1 }, { n: 0 }, { n: 1 }]));
    expect(byHandler('urgent')).toEqual([{ order: 2 }]);
    expect(events.find((e) => e.handler === 'urgent')).toMatchObject({ id: 'go-urgent-1', type: 'urgent', topic: 'alerts', pubsub: 'pubsub' });
    expect(events.filter((e) => e.kind === 'event')).toHaveLength(4);
  });

  it('delivers input binding events to the app', async () => {
    const events = await pollUntil(received, (r) => r.some((e) => e.kind === 'binding'));
    expect(events).toContainEqual({ kind: 'binding', name: 'ticks' });
  });
});
