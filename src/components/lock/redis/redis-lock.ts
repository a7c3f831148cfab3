import type { Redis } from 'ioredis';
import type { ComponentContext } from '../../../contracts/component.js';
import { UnlockStatus, type LockStore, type TryLockRequest } from '../../../contracts/lock.js';
import { closeRedis, connectRedis } from '../../_shared/redis/connection.js';
import { parseRedisSettings, type RedisMetadata } from '../../_shared/redis/settings.js';

// Release only our own lock, atomically: a GET then DEL from the client could delete a lock that
// expired in between and was taken by someone else.
const UNLOCK = `local v = redis.call("GET", KEYS[1])
if v == false then return -1 end
if v ~= ARGV[1] then return -2 end
return redis.call("DEL", KEYS[1])`;

/** `SET key owner NX PX`, and a script that deletes the key only for its owner: daprd's layout, so both share locks. */
class RedisLock implements LockStore<RedisMetadata> {
  #client?: Redis;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: RedisMetadata): Promise<void> {
    this.#client = await connectRedis(parseRedisSettings(md), this.ctx.logger);
    const replicas = /connected_slaves:(\d+)/.exec(await this.#client.info('replication'))?.[1];
    if (replicas && Number(replicas) > 0) {
      await closeRedis(this.#client);
      throw new Error('lock.redis needs a Redis without replicas: a lock taken on the primary could be lost on failover');
    }
  }

  async tryLock(req: TryLockRequest): Promise<boolean> {
    return (await this.#client!.set(req.resourceId, req.lockOwner, 'PX', req.expiryInSeconds * 1000, 'NX')) === 'OK';
  }

  async unlock(req: { resourceId: string; lockOwner: string }): Promise<UnlockStatus> {
    const result = Number(await this.#client!.eval(UNLOCK, 1, req.resourceId, req.lockOwner));
    if (result === -1) return UnlockStatus.LockDoesNotExist;
    if (result === -2) return UnlockStatus.LockBelongsToOthers;
    return result >= 1 ? UnlockStatus.Success : UnlockStatus.LockDoesNotExist;
  }

  async close(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    if (c) await closeRedis(c);
  }
}

export function createRedisLock(ctx: ComponentContext): RedisLock {
  return new RedisLock(ctx);
}
