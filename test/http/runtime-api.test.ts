import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_ID, RUNTIME_VERSION, errorBody, startHarness, type Harness, type HarnessOptions } from './harness.js';

const open: Harness[] = [];
async function harness(o: HarnessOptions = {}): Promise<Harness> {
  const h = await startHarness(o);
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

function ready(h: Harness): void {
  h.health.done('components');
  h.health.done('api servers');
  h.health.done('app channel');
}

function expectError(res: LightMyRequestResponse, status: number, errorCode: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = errorBody(res.payload);
  expect(body.errorCode).toBe(errorCode);
  expect(typeof body.message).toBe('string');
  return body;
}

function expect401(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(401);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  // Go's http.Error ends the text with a newline.
  expect(res.payload).toMatch(/^invalid api token\n?$/);
}

describe('API token', () => {
  it('requests without the token or with a wrong one are 401 plain text', async () => {
    const h = await harness({ apiToken: 's3cret' });
    expect401(await h.app.inject({ method: 'GET', url: '/v1.0/metadata' }));
    expect401(await h.app.inject({ method: 'GET', url: '/v1.0/metadata', headers: { 'dapr-api-token': 'wrong' } }));
    expect401(await h.app.inject({ method: 'GET', url: '/v1.0/metadata', headers: { 'dapr-api-token': 's3cret-and-more' } }));
    expect401(await h.app.inject({ method: 'POST', url: '/v1.0/state/statestore', payload: '[]' }));
    expect401(await h.app.inject({ method: 'GET', url: '/no/such/route' }));
  });

  it('the right token passes', async () => {
    const h = await harness({ apiToken: 's3cret' });
    const headers = { 'dapr-api-token': 's3cret' };
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/metadata', headers })).statusCode).toBe(200);
    const saved = await h.app.inject({ method: 'POST', url: '/v1.0/state/statestore', headers, payload: '[{"key":"k","value":1}]' });
    expect(saved.statusCode).toBe(204);
  });

  it('GET healthz and healthz/outbound need no token', async () => {
    const h = await harness({ apiToken: 's3cret' });
    expectError(await h.app.inject({ method: 'GET', url: '/v1.0/healthz' }), 500, 'ERR_HEALTH_NOT_READY');
    expectError(await h.app.inject({ method: 'GET', url: '/v1.0/healthz/outbound' }), 500, 'ERR_OUTBOUND_HEALTH_NOT_READY');
    ready(h);
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/healthz' })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/healthz?appid=myapp' })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/healthz/outbound' })).statusCode).toBe(204);
  });

  it('the health paths stay exempt with a trailing slash', async () => {
    const h = await harness({ apiToken: 's3cret' });
    ready(h);
    // daprd trims slashes before deciding a route is exempt, then strips the slash to route it.
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/healthz/' })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/healthz/outbound/' })).statusCode).toBe(204);
  });

  it('only GET is exempt on the health paths', async () => {
    const h = await harness({ apiToken: 's3cret' });
    ready(h);
    expect401(await h.app.inject({ method: 'POST', url: '/v1.0/healthz' }));
    expect401(await h.app.inject({ method: 'DELETE', url: '/v1.0/healthz/outbound' }));
  });
});

describe('health', () => {
  const healthz = (h: Harness, query = '') => h.app.inject({ method: 'GET', url: `/v1.0/healthz${query}` });
  const outbound = (h: Harness) => h.app.inject({ method: 'GET', url: '/v1.0/healthz/outbound' });

  it('healthz is 500 ERR_HEALTH_NOT_READY, listing what is pending, until every target is done', async () => {
    const h = await harness();
    const body = expectError(await healthz(h), 500, 'ERR_HEALTH_NOT_READY');
    expect(body.message).toMatch(/^dapr is not ready/);
    h.health.done('components');
    h.health.done('api servers');
    const pending = expectError(await healthz(h), 500, 'ERR_HEALTH_NOT_READY');
    expect(pending.message).toContain('app channel');
    expect(pending.message).not.toContain('components');
    h.health.done('app channel');
    const res = await healthz(h);
    expect(res.statusCode).toBe(204);
    expect(res.payload).toBe('');
  });

  it('outbound turns ready once components and API servers are done, before the app channel', async () => {
    const h = await harness();
    const body = expectError(await outbound(h), 500, 'ERR_OUTBOUND_HEALTH_NOT_READY');
    expect(body.message).toBe('dapr outbound is not ready');
    h.health.done('components');
    expectError(await outbound(h), 500, 'ERR_OUTBOUND_HEALTH_NOT_READY');
    h.health.done('api servers');
    const res = await outbound(h);
    expect(res.statusCode).toBe(204);
    expect(res.payload).toBe('');
    expectError(await healthz(h), 500, 'ERR_HEALTH_NOT_READY');
  });

  it('?appid= that is not ours is 500 ERR_HEALTH_APPID_NOT_MATCH once ready', async () => {
    const h = await harness();
    expectError(await healthz(h, '?appid=other'), 500, 'ERR_HEALTH_NOT_READY');
    ready(h);
    expectError(await healthz(h, '?appid=other'), 500, 'ERR_HEALTH_APPID_NOT_MATCH');
    // daprd checks that the parameter is present, so an empty one does not match either.
    expectError(await healthz(h, '?appid='), 500, 'ERR_HEALTH_APPID_NOT_MATCH');
    expect((await healthz(h, `?appid=${APP_ID}`)).statusCode).toBe(204);
  });
});

describe('metadata', () => {
  const getMetadata = async (h: Harness) => {
    const res = await h.app.inject({ method: 'GET', url: '/v1.0/metadata' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return JSON.parse(res.payload) as Record<string, any>;
  };

  it('reports id, version, components with capabilities and the app connection', async () => {
    const h = await harness({ appPort: 3000 });
    const md = await getMetadata(h);
    expect(md.id).toBe(APP_ID);
    expect(md.runtimeVersion).toBe(RUNTIME_VERSION);
    expect(md.extended).toEqual({ daprRuntimeVersion: RUNTIME_VERSION });
    const byName = Object.fromEntries((md.components as Array<Record<string, any>>).map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['nokeyprefix', 'plain', 'statestore']);
    expect(byName.statestore).toMatchObject({ type: 'state.in-memory', version: 'v1' });
    expect(byName.statestore.capabilities).toEqual(expect.arrayContaining(['ETAG', 'TRANSACTIONAL', 'TTL', 'ACTOR']));
    // A store without features reports no capabilities field at all.
    expect(byName.plain).toEqual({ name: 'plain', type: 'state.plain-test', version: 'v1' });
    // -1 (no limit) is reported as unset.
    expect(md.appConnectionProperties).toEqual({ port: 3000, protocol: 'http', channelAddress: '127.0.0.1' });
    expect(['INITIALIZING', 'DISABLED', 'RUNNING']).toContain(md.actorRuntime?.runtimeStatus);
  });

  it('leaves out empty collections', async () => {
    const h = await harness({ documents: [] });
    const md = await getMetadata(h);
    for (const key of ['enabledFeatures', 'actors', 'components', 'subscriptions', 'httpEndpoints', 'mcpServers', 'resiliencies']) {
      expect(md).not.toHaveProperty(key);
    }
    expect(md.extended.daprRuntimeVersion).toBe(RUNTIME_VERSION);
  });

  it('PUT /v1.0/metadata/{key} stores the raw body in extended', async () => {
    const h = await harness();
    const res = await h.app.inject({ method: 'PUT', url: '/v1.0/metadata/appCommand', headers: { 'content-type': 'text/plain' }, payload: 'npm run start -- --port 3000' });
    expect(res.statusCode).toBe(204);
    expect(res.payload).toBe('');
    const empty = await h.app.inject({ method: 'PUT', url: '/v1.0/metadata/cliPID' });
    expect(empty.statusCode).toBe(204);
    const md = await getMetadata(h);
    expect(md.extended).toEqual({ appCommand: 'npm run start -- --port 3000', cliPID: '', daprRuntimeVersion: RUNTIME_VERSION });
  });
});

describe('routing fallback and limits', () => {
  it('an unmatched route is 404 ERR_DIRECT_INVOKE', async () => {
    const h = await harness();
    for (const [method, url] of [
      ['GET', '/no/such/route'],
      ['POST', '/v1.0/unknown/thing'],
      ['DELETE', '/v1.0/metadata'],
      ['GET', '/v1.0/shutdown'],
    ] as const) {
      const body = expectError(await h.app.inject({ method, url }), 404, 'ERR_DIRECT_INVOKE');
      expect(body).toEqual({ errorCode: 'ERR_DIRECT_INVOKE', message: 'failed getting app id either from the URL path or the header dapr-app-id' });
    }
  });

  it('a body larger than the limit is 413 with an error code', async () => {
    const h = await harness({ maxBodyBytes: 1024 });
    const payload = JSON.stringify([{ key: 'big', value: 'x'.repeat(4096) }]);
    const res = await h.app.inject({ method: 'POST', url: '/v1.0/state/statestore', headers: { 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(413);
    const body = errorBody(res.payload);
    expect(body.errorCode).toMatch(/^ERR_/);
    expect(body.message.length).toBeGreaterThan(0);
    expect((await h.app.inject({ method: 'GET', url: '/v1.0/state/statestore/big' })).statusCode).toBe(204);
  });
});

describe('shutdown', () => {
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('POST /v1.0/shutdown is 204 and asks for a graceful stop', async () => {
    const h = await harness();
    const res = await h.app.inject({ method: 'POST', url: '/v1.0/shutdown' });
    expect(res.statusCode).toBe(204);
    expect(res.payload).toBe('');
    await settle();
    expect(h.shutdowns).toEqual([false]);
  });

  it('dapr-force-shutdown: true asks for a forced stop', async () => {
    const h = await harness();
    const res = await h.app.inject({ method: 'POST', url: '/v1.0/shutdown', headers: { 'dapr-force-shutdown': 'true' } });
    expect(res.statusCode).toBe(204);
    await settle();
    expect(h.shutdowns).toEqual([true]);
  });
});
