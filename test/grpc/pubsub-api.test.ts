import { status, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubscriberApp, waitFor, type SubscriberApp } from '../e2e/pubsub-support.js';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';

let app: SubscriberApp;
let mecha: MechaProcess;
let dapr: ReturnType<typeof daprClient>;

beforeAll(async () => {
  app = await startSubscriberApp({ subscriptions: [{ pubsubname: 'pubsub', topic: 'orders', route: '/orders' }] });
  // Embedded defaults: the in-memory `pubsub`.
  mecha = await startMecha(['--app-id', 'grpc-publisher', '--app-port', String(app.port)], { cwd: mkdtempSync(join(tmpdir(), 'mecha-gps-')), readyPath: '/v1.0/healthz' });
  dapr = daprClient(mecha.grpcPort);
});

afterAll(async () => {
  dapr?.close();
  await mecha?.stop();
  await app?.stop();
});

describe('pub/sub over gRPC (same core as HTTP)', () => {
  it('publishes a JSON event that the subscriber receives as a CloudEvent', async () => {
    await dapr.call('PublishEvent', { pubsub_name: 'pubsub', topic: 'orders', data: Buffer.from('{"qty":3}'), data_content_type: 'application/json' });
    const [event] = await waitFor(() => app.events('/orders'), (e) => e.length > 0);
    expect(event).toMatchObject({ data: { qty: 3 }, topic: 'orders', pubsubname: 'pubsub', source: 'grpc-publisher', type: 'com.dapr.event.sent' });
  });

  it('bulk publishes under both RPC names and reports no failed entries', async () => {
    for (const rpc of ['BulkPublishEventAlpha1', 'BulkPublishEvent']) {
      const res = await dapr.call<{ failedEntries: unknown[] }>(rpc, {
        pubsub_name: 'pubsub',
        topic: 'orders',
        entries: [{ entry_id: `${rpc}-1`, event: Buffer.from('hello'), content_type: 'text/plain' }],
      });
      expect(res.failedEntries).toEqual([]);
    }
    await waitFor(() => app.events('/orders'), (e) => e.length >= 3);
  });

  it('answers an unknown pub/sub with INVALID_ARGUMENT, as daprd does', async () => {
    const err = await dapr.call('PublishEvent', { pubsub_name: 'nope', topic: 't', data: Buffer.from('x') }).catch((e: ServiceError) => e);
    expect((err as ServiceError).code).toBe(status.INVALID_ARGUMENT);
  });

  it('lists the subscriptions in GetMetadata', async () => {
    const md = await dapr.call<{ subscriptions: Array<{ pubsub_name: string; topic: string; type: string }> }>('GetMetadata');
    expect(md.subscriptions).toEqual([expect.objectContaining({ pubsub_name: 'pubsub', topic: 'orders', type: 'PROGRAMMATIC' })]);
  });
});
