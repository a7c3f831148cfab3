import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { component, resourcesDir } from '../support/resources.js';
import { killMidStreamAndRestart, publish, seqsAccepted, subscriberFleet, waitFor } from './pubsub-support.js';

// One-token topics: the test server's stream captures them (daprd's pubsub.jetstream creates no stream).
const run = randomUUID().slice(0, 8);
const topic = (name: string) => `e2e-${run}-${name}`;
const cwd = mkdtempSync(join(tmpdir(), 'mecha-pubsub-jetstream-'));
let resources: string;
const { subscriber, stopAll } = subscriberFleet(cwd, () => resources);

beforeAll(() => {
  // The ready-to-use folder's settings: one durable per app-id, shared by its sidecars.
  resources = resourcesDir({
    'pubsub.yaml': component('pubsub', 'pubsub.jetstream', { natsURL: inject('natsUrl'), durableName: `{appID}-${run}`, queueGroupName: '{appID}', ackWait: '2s' }),
  });
});

afterAll(stopAll);

describe('pub/sub end to end (NATS JetStream)', () => {
  it('delivers every message to every app-id, with the subject as the Topic header', async () => {
    const subs = [{ pubsubname: 'pubsub', topic: topic('orders'), route: '/orders' }];
    const [a, b] = await Promise.all([subscriber('js-a', subs), subscriber('js-b', subs)]);
    const N = 10;
    for (let seq = 0; seq < N; seq++) {
      expect((await publish(a.mecha.url, 'pubsub', topic('orders'), JSON.stringify({ seq }), 'application/json')).status).toBe(204);
    }
    for (const s of [a, b]) {
      const ds = await waitFor(() => s.app.received(), (d) => new Set(seqsAccepted(d, '/orders')).size === N, 30_000);
      expect(seqsAccepted(ds, '/orders').slice(0, N)).toEqual([...Array(N).keys()]);
      expect(ds[0]!.headers.topic).toBe(topic('orders'));
    }
    await Promise.all([a.mecha.stop(), b.mecha.stop()]);
  }, 60_000);

  it('loses nothing when the sidecar is killed mid-stream: unacknowledged messages come back after a restart', async (ctx) => {
    const { summary } = await killMidStreamAndRestart(subscriber, { appId: 'js-survivor', topic: topic('stream'), messages: 40, killAfter: 10, arrivalTimeoutMs: 45_000 });
    ctx.annotate(summary);
  }, 90_000);
});
