import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMecha, type MechaProcess } from '../../support/mecha-process.js';
import { component, resourcesDir } from '../../support/resources.js';
import { publish, routeDoc, routeMetadata, startRecordingApp, waitFor } from '../route-harness.js';

/**
 * The built CLI (`npm run build` first) running routes with stateful steps on Redis (pub/sub and state),
 * so a killed sidecar's successor finds the broker's unacknowledged messages and the step's state.
 */
const run = randomUUID().slice(0, 8);
const appId = `stateful-${run}`;
const topic = (name: string) => `${name}-${run}`;
let dir = '';
let app: Awaited<ReturnType<typeof startRecordingApp>>;
let mecha: MechaProcess | undefined;

async function start(): Promise<MechaProcess> {
  const m = await startMecha(['--app-id', appId, '--app-port', String(app.port), '--resources-path', dir]);
  await waitFor(async () => (await routeMetadata(m.url)).filter((r) => r.status === 'running').length === 2, 'routes running', 30_000);
  return m;
}

const counters = async (route: string) => (await routeMetadata(mecha!.url)).find((r) => r.name === route)?.counters ?? {};

beforeAll(async () => {
  dir = resourcesDir({
    'bus.yaml': component('bus', 'pubsub.redis', { redisHost: inject('redisAddress'), processingTimeout: '2s', redeliverInterval: '500ms' }),
    'kv.yaml': component('kv', 'state.redis', { redisHost: inject('redisAddress') }),
    'routes.yaml': [
      routeDoc(
        'batches',
        `from: { pubsub: bus, topic: ${topic('items')} }
steps:
  - aggregate: { correlation: "event.data.order", completionSize: 4, stateStore: kv }
to: [{ invoke: { appId: ${appId}, method: batches } }]`,
      ),
      routeDoc(
        'unique',
        `from: { pubsub: bus, topic: ${topic('payments')} }
steps:
  - idempotentConsumer: { expression: "event.data.id", stateStore: kv, ttlInSeconds: 600 }
to: [{ invoke: { appId: ${appId}, method: payments } }]`,
      ),
    ].join('---\n'),
  });
  app = await startRecordingApp();
  mecha = await start();
}, 90_000);

afterAll(async () => {
  await mecha?.stop();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stateful route steps in the built CLI', () => {
  it('completes an aggregation begun before a kill -9, once the sidecar is back', async () => {
    for (const n of [1, 2]) expect((await publish(mecha!.url, 'bus', topic('items'), { order: 'o1', n })).status).toBe(204);
    // Held by the aggregator: persisted in the store, the messages acknowledged.
    await waitFor(async () => (await counters('batches')).filtered === 2, 'two messages held in the group', 30_000);
    mecha!.proc.kill('SIGKILL');
    await mecha!.exited;
    mecha = await start();
    for (const n of [3, 4]) expect((await publish(mecha.url, 'bus', topic('items'), { order: 'o1', n })).status).toBe(204);
    const got = await waitFor(() => app.on('/batches')[0], 'the aggregated message', 60_000);
    const items = (got.body as Array<{ n: number }>).map((d) => d.n).sort();
    expect(items).toEqual([1, 2, 3, 4]);
    expect(got.headers['mecha-aggregate-size']).toBe('4');
    expect(app.on('/batches')).toHaveLength(1);
  }, 150_000);

  it('passes each payment id once when the topic carries duplicates', async () => {
    const ids = ['p1', 'p2', 'p1', 'p3', 'p2', 'p1'];
    for (const id of ids) await publish(mecha!.url, 'bus', topic('payments'), { id });
    await waitFor(async () => {
      const c = await counters('unique');
      return (c.filtered ?? 0) + (c.out ?? 0) === ids.length;
    }, 'every payment delivered or filtered', 60_000);
    expect(app.on('/payments').map((r) => (r.body as { id: string }).id).sort()).toEqual(['p1', 'p2', 'p3']);
    expect((await counters('unique')).filtered).toBe(3);
  }, 90_000);
});
