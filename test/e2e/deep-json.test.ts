import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

// daprd 1.17.0 (recorded): Go's encoding/json accepts 10,000 nested levels and answers deeper bodies
// with 400 ERR_MALFORMED_REQUEST "invalid character '[' exceeded max depth" (ERR_PUBSUB_EVENTS_SER on
// bulk publish). 5,000 levels are accepted on every route.
const nest = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const LIMIT = 10_000;

let mecha: MechaProcess;

beforeAll(async () => {
  const files = mkdtempSync(join(tmpdir(), 'mecha-deep-files-'));
  const dir = resourcesDir({
    'c.yaml': [
      component('statestore', 'state.in-memory'),
      component('pubsub', 'pubsub.in-memory'),
      component('files', 'bindings.localstorage', { rootPath: files }),
    ].join('\n---\n'),
  });
  mecha = await startMecha(['--app-id', 'deep', '--resources-path', dir]);
});
afterAll(async () => {
  await mecha?.stop();
});

const post = async (path: string, body: string) => {
  const res = await fetch(`${mecha.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, string>) : undefined };
};

// [name, path, body around a value, levels that body adds]: daprd accepts LIMIT levels in all, not one more.
const routes: Array<[string, string, (value: string) => string, number]> = [
  ['state save', '/v1.0/state/statestore', (v) => `[{"key":"k","value":${v}}]`, 2],
  ['transaction', '/v1.0/state/statestore/transaction', (v) => `{"operations":[{"operation":"upsert","request":{"key":"k","value":${v}}}]}`, 4],
  ['bulk publish', '/v1.0-alpha1/publish/bulk/pubsub/t', (v) => `[{"entryId":"1","event":${v},"contentType":"application/json"}]`, 2],
  ['binding create', '/v1.0/bindings/files', (v) => `{"operation":"create","data":${v}}`, 1],
];
const WITHIN = LIMIT - 2;

describe('deeply nested JSON bodies', () => {
  it.each(routes)('%s accepts nesting up to daprd’s limit', async (_name, path, body, around) => {
    const res = await post(path, body(nest(LIMIT - around)));
    expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
  });

  it.each(routes.slice(0, 2))('%s answers 400 ERR_MALFORMED_REQUEST beyond it', async (_name, path, body, around) => {
    const res = await post(path, body(nest(LIMIT - around + 1)));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ errorCode: 'ERR_MALFORMED_REQUEST', message: expect.stringContaining("invalid character '[' exceeded max depth") });
  });

  it('bulk publish answers 400 ERR_PUBSUB_EVENTS_SER beyond it', async () => {
    const res = await post(routes[2][1], routes[2][2](nest(LIMIT - 1)));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ errorCode: 'ERR_PUBSUB_EVENTS_SER', message: expect.stringContaining('exceeded max depth') });
  });

  it('publish and a cloudevents+json publish accept deep data', async () => {
    expect((await post('/v1.0/publish/pubsub/t', nest(WITHIN))).status).toBe(204);
    const res = await fetch(`${mecha.url}/v1.0/publish/pubsub/t`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: `{"id":"1","source":"s","type":"t","specversion":"1.0","data":${nest(WITHIN)}}`,
    });
    expect(res.status).toBe(204);
  });

  it('a deep state value reads back intact', async () => {
    await post('/v1.0/state/statestore', `[{"key":"deep","value":${nest(5_000)}}]`);
    const res = await fetch(`${mecha.url}/v1.0/state/statestore/deep`);
    expect(await res.text()).toBe(nest(5_000));
  });

  it('a query filter nested past the AND/OR limit is ERR_STATE_QUERY, not a crash', async () => {
    let filter = '{"EQ":{"a":1}}';
    for (let i = 0; i < 200; i++) filter = `{"AND":[${filter},{"EQ":{"b":2}}]}`;
    const res = await post('/v1.0-alpha1/state/statestore/query', `{"filter":${filter}}`);
    expect(res.json?.errorCode).toBe('ERR_STATE_QUERY');
  });

  it('gRPC SaveState and PublishEvent take deep JSON values', async () => {
    const client = daprClient(mecha.grpcPort);
    try {
      const value = Buffer.from(nest(WITHIN));
      await client.call('SaveState', { store_name: 'statestore', states: [{ key: 'g', value, metadata: { contentType: 'application/json' } }] });
      const got = await client.call<{ data: Buffer }>('GetState', { store_name: 'statestore', key: 'g' });
      expect(Buffer.from(got.data).toString()).toBe(nest(WITHIN));
      await client.call('PublishEvent', { pubsub_name: 'pubsub', topic: 't', data: value, data_content_type: 'application/cloudevents+json' }).catch((e: Error) => {
        // a bare array is not a CloudEvent: refused with a catalogued code, never a crash
        expect(e.message).not.toMatch(/call stack/);
      });
    } finally {
      client.close();
    }
  });
});
