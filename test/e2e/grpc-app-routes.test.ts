import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

// What daprd 1.17 sends a gRPC app (recorded against the reference daprd with the same app): the path of
// a subscription listed without routes is "", a rule's path and a declarative route as written, for single
// and bulk deliveries alike; an UNIMPLEMENTED answer drops the event, without retry or dead-letter.
const APP = fileURLToPath(new URL('../support/grpc-routes-app.mjs', import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const DECLARED = `apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: declared
spec:
  pubsubname: pubsub
  topic: declared
  routes:
    default: /declared
`;
type Recorded = {
  rpc: string;
  topic: string;
  path: string;
  type?: string;
  data?: string;
  entries?: number;
  metadata?: Record<string, string>;
  entryContentTypes?: string[];
  extensions?: Record<string, string>;
};
let sidecar: MechaProcess;

beforeAll(async () => {
  const resources = resourcesDir({ 'pubsub.yaml': component('pubsub', 'pubsub.in-memory'), 'declared.yaml': DECLARED });
  sidecar = await startMecha(['--app-id', 'routes', '--app-port', String(await freePort()), '--app-protocol', 'grpc', '--resources-path', resources, '--log-as-json', '--', process.execPath, APP], {
    cwd: HOME,
    env: { HOME },
    readyPath: '/v1.0/healthz',
  });
});

afterAll(async () => {
  await sidecar?.stop();
  rmSync(HOME, { recursive: true, force: true });
});

async function publish(topic: string, type?: string): Promise<void> {
  const body = type ? { id: `${topic}-${type}`, source: 'test', type, specversion: '1.0', datacontenttype: 'application/json', data: { topic } } : { topic };
  const headers = { 'content-type': type ? 'application/cloudevents+json' : 'application/json' };
  const res = await fetch(`${sidecar.url}/v1.0/publish/pubsub/${topic}`, { method: 'POST', body: JSON.stringify(body), headers });
  expect(res.status).toBe(204);
}

async function recorded(until: (events: Recorded[]) => boolean): Promise<Recorded[]> {
  const deadline = Date.now() + 10_000;
  let events: Recorded[] = [];
  while (Date.now() < deadline) {
    events = (await (await fetch(`${sidecar.url}/v1.0/invoke/routes/method/events`)).json()) as Recorded[];
    if (until(events)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return events;
}

describe('deliveries to a gRPC app carry the path daprd sends', () => {
  it('"" for a subscription listed without routes, the rule path for rules, the route of a declarative subscription', async () => {
    await publish('plain');
    await publish('ruled', 'y');
    await publish('ruled', 'x');
    await publish('bulk');
    await publish('bulk-ruled', 'x');
    await publish('declared');
    const events = await recorded((e) => e.length >= 5);
    const paths = Object.fromEntries(events.map((e) => [`${e.rpc} ${e.topic}`, e.path]));
    expect(paths).toEqual({
      'OnTopicEvent plain': '',
      'OnTopicEvent ruled': 'on_x',
      'OnBulkTopicEvent bulk': '',
      'OnBulkTopicEvent bulk-ruled': 'on_bulk_x',
      'OnTopicEvent declared': '/declared',
    });
    // A subscription with rules and no default has no fallback route: the type "y" event matched nothing.
    expect(events.filter((e) => e.topic === 'ruled')).toHaveLength(1);
  });

  it('with topic and pubsubname among the extensions, and a bulk request shaped as daprd sends it', async () => {
    const events = await recorded((e) => e.some((x) => x.topic === 'plain') && e.some((x) => x.topic === 'bulk'));
    expect(events.find((e) => e.topic === 'plain')?.extensions).toEqual({ topic: 'plain', pubsubname: 'pubsub', time: 'string', traceid: 'string', traceparent: 'string', tracestate: 'string' });
    const bulk = events.find((e) => e.topic === 'bulk');
    expect(bulk).toMatchObject({ metadata: { pubsubName: 'pubsub' }, entryContentTypes: [''] });
    expect(bulk?.extensions).toMatchObject({ topic: 'bulk', pubsubname: 'pubsub' });
  });

  it('an UNIMPLEMENTED answer drops the event once, without retry or dead-letter, and says so in the log', async () => {
    await publish('unimpl');
    await publish('unimpl-bulk');
    await recorded((e) => e.some((x) => x.rpc === 'OnBulkTopicEventAlpha1') && e.some((x) => x.topic === 'unimpl'));
    // Long enough for the built-in retries (200 ms backoff) or a dead-letter delivery to show.
    await new Promise((r) => setTimeout(r, 1500));
    const events = await recorded(() => true);
    expect(events.filter((e) => e.topic === 'unimpl').map((e) => e.rpc)).toEqual(['OnTopicEvent']);
    expect(events.filter((e) => e.topic === 'unimpl-bulk').map((e) => e.rpc)).toEqual(['OnBulkTopicEvent', 'OnBulkTopicEventAlpha1']);
    expect(events.filter((e) => e.topic === 'dlq')).toEqual([]);
    const logged = sidecar
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes('UNIMPLEMENTED'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'error', pubsubName: 'pubsub', topic: 'unimpl', path: '' }),
        expect.objectContaining({ level: 'error', pubsubName: 'pubsub', topic: 'unimpl-bulk', path: '' }),
      ]),
    );
  });
});
