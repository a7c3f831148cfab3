import { CommunicationProtocolEnum, DaprClient, DaprServer, HttpMethod, LogLevel } from '@dapr/dapr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type MechaProcess } from '../support/mecha-process.js';
import { SDK_COMPONENTS, SDK_CONFIG, pollUntil, startSdkSidecar } from '../support/sdk-resources.js';

// The JavaScript SDK (@dapr/dapr) against the sidecar, once per protocol: a DaprClient calling the
// building blocks, and a DaprServer as the app (`--app-protocol` the same) receiving published events,
// bulk deliveries and invocations.
const logger = { level: LogLevel.Error };

describe.each([
  ['HTTP', CommunicationProtocolEnum.HTTP],
  ['gRPC', CommunicationProtocolEnum.GRPC],
])('the JavaScript SDK over %s', (name, protocol) => {
  const appId = `js-app-${name.toLowerCase()}`;
  const events: Array<{ route: string; data: unknown }> = [];
  const rand = Math.random().toString(36).slice(2, 8);
  let sidecar: MechaProcess;
  let server: DaprServer;
  let client: DaprClient;

  beforeAll(async () => {
    const appPort = await freePort();
    sidecar = await startSdkSidecar(['--app-id', appId, '--app-port', String(appPort), '--app-protocol', name === 'gRPC' ? 'grpc' : 'http']);
    const daprPort = String(protocol === CommunicationProtocolEnum.GRPC ? sidecar.grpcPort : sidecar.httpPort);
    const clientOptions = { daprHost: '127.0.0.1', daprPort, communicationProtocol: protocol, logger };
    server = new DaprServer({ serverHost: '127.0.0.1', serverPort: String(appPort), communicationProtocol: protocol, clientOptions, logger });
    await server.pubsub.subscribe('pubsub', 'orders', async (data: unknown) => void events.push({ route: 'default', data }));
    await server.pubsub.subscribeWithOptions('pubsub', 'alerts', {
      route: { rules: [{ match: 'event.type == "urgent"', path: '/urgent' }], default: '/alerts-other' },
      callback: async (data: unknown) => void events.push({ route: 'rules', data }),
    });
    await server.pubsub.subscribeBulk('pubsub', 'js-bulk', async (data: unknown) => void events.push({ route: 'bulk', data }), { maxMessagesCount: 10, maxAwaitDurationMs: 200 });
    await server.invoker.listen('echo', async ({ body }) => ({ echoed: body }), { method: HttpMethod.POST });
    await server.start();
    client = new DaprClient(clientOptions);
    // The sidecar reads the app's subscriptions once the app listens; wait (bounded) until they are active.
    const subscriptions = async () => ((await (await fetch(`${sidecar.url}/v1.0/metadata`)).json()) as { subscriptions?: unknown[] }).subscriptions ?? [];
    await pollUntil(subscriptions, (s) => s.length >= 3);
  });

  afterAll(async () => {
    await sidecar?.stop();
    // The SDK's stop waits for open calls to end; bounded, so a lingering one cannot hold the run.
    const bounded = (p?: Promise<unknown>) => Promise.race([p?.catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
    await bounded(server?.stop());
    await bounded(client?.stop());
  });

  it('saves and reads state with ETags, in bulk and in a transaction', async () => {
    const key = `js-${rand}`;
    expect(await client.state.save('statestore', [{ key, value: { v: 1 } }])).toEqual({});
    const [first] = await client.state.getBulk('statestore', [key]);
    expect(first).toMatchObject({ key, data: { v: 1 }, etag: expect.stringMatching(/.+/) });
    // The HTTP client reports a failed save in its answer, the gRPC client throws.
    const stale = await client.state.save('statestore', [{ key, value: { v: 2 }, etag: '999' }]).then((r) => r.error, (err: unknown) => err);
    expect(String(stale)).toMatch(/possible etag mismatch/);
    expect(await client.state.save('statestore', [{ key, value: { v: 2 }, etag: first.etag }])).toEqual({});
    expect(await client.state.get('statestore', key)).toEqual({ v: 2 });
    await client.state.save('statestore', [{ key: `${key}-b`, value: 'two' }]);
    await client.state.transaction('statestore', [
      { operation: 'upsert', request: { key: `${key}-t`, value: 't' } },
      { operation: 'delete', request: { key: `${key}-b` } },
    ]);
    const bulk = await client.state.getBulk('statestore', [key, `${key}-b`, `${key}-t`]);
    const data = Object.fromEntries(bulk.map((i) => [i.key, i.data]));
    expect(data[key]).toEqual({ v: 2 });
    expect(data[`${key}-t`]).toBe('t');
    expect(data[`${key}-b`] || undefined).toBeUndefined();
    await client.state.delete('statestore', key);
    expect((await client.state.get('statestore', key)) || undefined).toBeUndefined();
  });

  it('invokes the app and reads metadata, lock and configuration', async () => {
    // DaprServer hands the listener the body as the text it received.
    expect(await client.invoker.invoke(appId, 'echo', HttpMethod.POST, { hello: 'world' })).toEqual({ echoed: '{"hello":"world"}' });
    const metadata = await client.metadata.get();
    expect(metadata.id).toBe(appId);
    expect(metadata.components.map((c) => c.name).sort()).toEqual(SDK_COMPONENTS);
    expect(await client.lock.lock('lockstore', `r-${rand}`, 'owner-a', 60)).toEqual({ success: true });
    expect(await client.lock.lock('lockstore', `r-${rand}`, 'owner-b', 60)).toEqual({ success: false });
    expect((await client.lock.unlock('lockstore', `r-${rand}`, 'owner-a')).status).toBe(0);
    // The SDK's HTTP client has no configuration API (it throws HTTPNotSupportedError).
    if (protocol === CommunicationProtocolEnum.GRPC) {
      const config = await client.configuration.get('configstore', ['greeting']);
      expect(config.items.greeting).toMatchObject(SDK_CONFIG.greeting);
    }
  });

  it('publishes and bulk-publishes events the DaprServer receives: default route, rule route and bulk', async () => {
    expect(await client.pubsub.publish('pubsub', 'orders', { order: rand })).toEqual({});
    const urgent = { specversion: '1.0', id: `u-${rand}`, source: 'js', type: 'urgent', datacontenttype: 'application/json', data: { urgent: rand } };
    expect(await client.pubsub.publish('pubsub', 'alerts', urgent, { contentType: 'application/cloudevents+json' })).toEqual({});
    const bulk = await client.pubsub.publishBulk('pubsub', 'js-bulk', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(bulk.failedMessages).toEqual([]);
    const got = await pollUntil(async () => events, (e) => e.length >= 5);
    expect(got.filter((e) => e.route === 'default').map((e) => e.data)).toEqual([{ order: rand }]);
    expect(got.filter((e) => e.route === 'rules').map((e) => e.data)).toEqual([{ urgent: rand }]);
    expect(got.filter((e) => e.route === 'bulk').map((e) => e.data)).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }, { n: 3 }]));
  });
});
