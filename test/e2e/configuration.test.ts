import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { serviceByName } from '../../src/transports/grpc/protos.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSubscriberApp, waitFor, type SubscriberApp } from './pubsub-support.js';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

let app: SubscriberApp;
let mecha: MechaProcess;
let redis: Redis;
const key = `cfg-${process.pid}`;
type Update = { id: string; items: Record<string, { value: string; version: string }> };

beforeAll(async () => {
  const [host, port] = inject('redisAddress').split(':');
  redis = new Redis({ host, port: Number(port) });
  await redis.set(key, 'blue||1');
  app = await startSubscriberApp({});
  const dir = resourcesDir({ 'config.yaml': component('config', 'configuration.redis', { redisHost: inject('redisAddress') }) });
  mecha = await startMecha(['--app-id', 'configured', '--app-port', String(app.port), '--resources-path', dir], { readyPath: '/v1.0/healthz' });
});

afterAll(async () => {
  redis?.disconnect();
  await mecha?.stop();
  await app?.stop();
});

const get = async (path: string) => {
  const res = await fetch(`${mecha.url}${path}`);
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>) };
};

describe('configuration API', () => {
  it('reads items, and 204 when none match', async () => {
    expect(await get(`/v1.0/configuration/config?key=${key}`)).toEqual({ status: 200, body: { [key]: { value: 'blue', version: '1' } } });
    expect(await get(`/v1.0-alpha1/configuration/config?key=${key}-none`)).toEqual({ status: 204, body: undefined });
  });

  it('subscribes the app: each change is POSTed to /configuration/<store>/<key>, until unsubscribed', async () => {
    const { body } = await get(`/v1.0/configuration/config/subscribe?key=${key}`);
    const id = body!.id as string;
    expect(id).toBeTruthy();
    await redis.set(key, 'green||2');
    const deliveries = await waitFor(() => app.received(), (d) => d.some((x) => x.path === `/configuration/config/${key}`));
    const update = JSON.parse(deliveries.find((x) => x.path === `/configuration/config/${key}`)!.body);
    expect(update).toEqual({ id, items: { [key]: { value: 'green', version: '2' } } });
    expect(await get(`/v1.0/configuration/config/${id}/unsubscribe`)).toEqual({ status: 200, body: { ok: true } });
    const again = await get(`/v1.0/configuration/config/${id}/unsubscribe`);
    expect(again.status).toBe(500);
    // daprd leaves `ok: false` out of this answer (omitempty).
    expect(again.body).toEqual({ message: expect.stringContaining(id) });
  });

  it('answers the documented errors', async () => {
    expect(await get('/v1.0/configuration/nope?key=a')).toMatchObject({ status: 400, body: { errorCode: 'ERR_CONFIGURATION_STORE_NOT_FOUND' } });
    const bare = await startMecha(['--resources-path', resourcesDir({})]);
    try {
      const res = await fetch(`${bare.url}/v1.0/configuration/x?key=a`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { errorCode: string }).errorCode).toBe('ERR_CONFIGURATION_STORE_NOT_CONFIGURED');
    } finally {
      await bare.stop();
    }
    const noApp = await startMecha([]);
    try {
      const res = await fetch(`${noApp.url}/v1.0/configuration/configstore/subscribe?key=a`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { errorCode: string }).errorCode).toBe('ERR_APP_CHANNEL_NIL');
    } finally {
      await noApp.stop();
    }
  });

  it('serves GetConfiguration and a SubscribeConfiguration stream over gRPC', async () => {
    const dapr = daprClient(mecha.grpcPort);
    const Ctor = serviceByName('dapr.proto.runtime.v1.Dapr');
    const client = new Ctor(`127.0.0.1:${mecha.grpcPort}`, credentials.createInsecure()) as unknown as Record<string, (req: object) => ClientReadableStream<Update>> & { close(): void };
    try {
      const got = await dapr.call<{ items: Record<string, { value: string }> }>('GetConfigurationAlpha1', { store_name: 'config', keys: [key] });
      expect(got.items[key].value).toBeTruthy();
      const stream = client.SubscribeConfiguration({ store_name: 'config', keys: [key] });
      const updates: Update[] = [];
      stream.on('data', (u: Update) => updates.push(u));
      stream.on('error', () => undefined);
      await waitFor(async () => updates, (u) => u.length > 0);
      expect(updates[0].id).toBeTruthy();
      await redis.set(key, 'red||3');
      await waitFor(async () => updates, (u) => u.length > 1);
      expect(updates[1]).toMatchObject({ id: updates[0].id, items: { [key]: { value: 'red', version: '3' } } });
      stream.cancel();
    } finally {
      dapr.close();
      client.close();
    }
  });
});
