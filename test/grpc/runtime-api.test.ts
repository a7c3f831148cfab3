import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

// The gRPC side of test/http/runtime-api.test.ts: token, metadata and shutdown.
const TOKEN = 'grpc-runtime-token';
let mecha: MechaProcess;

beforeAll(async () => {
  const dir = resourcesDir({ 'mem.yaml': component('statestore', 'state.in-memory') });
  mecha = await startMecha(['--app-id', 'runtime-grpc', '--resources-path', dir], { env: { DAPR_API_TOKEN: TOKEN } });
});

afterAll(async () => {
  await mecha?.stop();
});

describe('runtime RPCs over gRPC', () => {
  it('refuses calls without the token or with a wrong one with UNAUTHENTICATED, and lets the right one pass', async () => {
    for (const token of [undefined, 'wrong']) {
      const dapr = daprClient(mecha.grpcPort, token);
      const err = await dapr.call('GetMetadata').catch((e: ServiceError) => e);
      dapr.close();
      expect((err as ServiceError).code).toBe(status.UNAUTHENTICATED);
    }
    const dapr = daprClient(mecha.grpcPort, TOKEN);
    await expect(dapr.call('GetMetadata')).resolves.toBeTruthy();
    dapr.close();
  });

  it('reports id, components and extended metadata set with SetMetadata', async () => {
    const dapr = daprClient(mecha.grpcPort, TOKEN);
    try {
      await dapr.call('SetMetadata', { key: 'team', value: 'payments' });
      const md = await dapr.call<{ id: string; registered_components: Array<{ name: string; type: string }>; extended_metadata: Record<string, string> }>('GetMetadata');
      expect(md.id).toBe('runtime-grpc');
      expect(md.registered_components).toEqual([expect.objectContaining({ name: 'statestore', type: 'state.in-memory' })]);
      expect(md.extended_metadata).toMatchObject({ team: 'payments' });
    } finally {
      dapr.close();
    }
  });

  it('Shutdown answers, then the sidecar stops gracefully with exit code 0', async () => {
    const dapr = daprClient(mecha.grpcPort, TOKEN);
    await dapr.call('Shutdown');
    dapr.close();
    expect(await mecha.exited).toBe(0);
  });
});
