import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

let mecha: MechaProcess;
const post = (path: string, body: unknown) => fetch(`${mecha.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });

beforeAll(async () => {
  const dir = resourcesDir({ 'lock.yaml': component('redislock', 'lock.redis', { redisHost: inject('redisAddress') }) + '---\n' + component('memlock', 'lock.in-memory') });
  mecha = await startMecha(['--app-id', 'locker', '--resources-path', dir]);
});

afterAll(async () => {
  await mecha?.stop();
});

describe('distributed lock API', () => {
  it('locks and unlocks with daprd\'s answers, keys in daprd\'s layout', async () => {
    const lock = { resourceId: 'order-1', lockOwner: 'worker-a', expiryInSeconds: 30 };
    expect(await json(await post('/v1.0-alpha1/lock/redislock', lock))).toEqual({ status: 200, body: { success: true } });
    expect(await json(await post('/v1.0-alpha1/lock/redislock', { ...lock, lockOwner: 'worker-b' }))).toEqual({ status: 200, body: { success: false } });
    const [host, port] = inject('redisAddress').split(':');
    const redis = new Redis({ host, port: Number(port) });
    expect(await redis.get('lock||locker||order-1')).toBe('worker-a');
    redis.disconnect();
    expect((await json(await post('/v1.0-alpha1/unlock/redislock', { resource_id: 'order-1', lock_owner: 'worker-b' }))).body).toEqual({ status: 2 });
    expect((await json(await post('/v1.0-alpha1/unlock/redislock', { resourceId: 'order-1', lockOwner: 'worker-a' }))).body).toEqual({ status: 0 });
    expect((await json(await post('/v1.0-alpha1/unlock/redislock', { resourceId: 'order-1', lockOwner: 'worker-a' }))).body).toEqual({ status: 1 });
  });

  it('answers each documented error', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      ['/v1.0-alpha1/lock/memlock', { resourceId: 'r', lockOwner: 'o', expiryInSeconds: 0 }, 400, 'ERR_MALFORMED_REQUEST'],
      ['/v1.0-alpha1/lock/memlock', { resourceId: 'r', lockOwner: 'o', expiryInSeconds: 1e12 }, 400, 'ERR_MALFORMED_REQUEST'], // daprd: int32 overflow
      ['/v1.0-alpha1/lock/memlock', { lockOwner: 'o', expiryInSeconds: 5 }, 400, 'ERR_MALFORMED_REQUEST'],
      ['/v1.0-alpha1/lock/memlock', { resourceId: 'r', expiryInSeconds: 5 }, 400, 'ERR_MALFORMED_REQUEST'],
      ['/v1.0-alpha1/lock/nope', { resourceId: 'r', lockOwner: 'o', expiryInSeconds: 5 }, 400, 'ERR_LOCK_STORE_NOT_FOUND'],
      ['/v1.0-alpha1/unlock/nope', { resourceId: 'r', lockOwner: 'o' }, 400, 'ERR_LOCK_STORE_NOT_FOUND'],
      ['/v1.0-alpha1/lock/memlock', '{bad json', 400, 'ERR_MALFORMED_REQUEST'],
      ['/v1.0-alpha1/lock/memlock', { resourceId: 'a||b', lockOwner: 'o', expiryInSeconds: 5 }, 500, 'ERR_TRY_LOCK'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await json(await post(path, body));
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(res.body.errorCode).toBe(code);
    }
  });

  it('answers 500 ERR_LOCK_STORE_NOT_CONFIGURED without any lock store', async () => {
    const bare = await startMecha(['--resources-path', resourcesDir({})]);
    try {
      const res = await json(await fetch(`${bare.url}/v1.0-alpha1/lock/x`, { method: 'POST', body: JSON.stringify({ resourceId: 'r', lockOwner: 'o', expiryInSeconds: 5 }) }));
      expect(res).toMatchObject({ status: 500, body: { errorCode: 'ERR_LOCK_STORE_NOT_CONFIGURED' } });
    } finally {
      await bare.stop();
    }
  });

  it('serves TryLockAlpha1 and UnlockAlpha1 over gRPC on the same core', async () => {
    const dapr = daprClient(mecha.grpcPort);
    try {
      const req = { store_name: 'memlock', resource_id: 'g', lock_owner: 'x', expiry_in_seconds: 10 };
      expect(await dapr.call('TryLockAlpha1', req)).toEqual({ success: true });
      expect(await dapr.call('UnlockAlpha1', { ...req, lock_owner: 'y' })).toEqual({ status: 'LOCK_BELONGS_TO_OTHERS' });
      expect(await dapr.call('UnlockAlpha1', req)).toEqual({ status: 'SUCCESS' });
    } finally {
      dapr.close();
    }
  });
});

