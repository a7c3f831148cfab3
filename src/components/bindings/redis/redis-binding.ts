import type { Redis } from 'ioredis';
import type { BindingRequest, BindingResponse, OutputBinding } from '../../../contracts/binding.js';
import type { ComponentContext } from '../../../contracts/component.js';
import { parseDuration } from '../../../util/duration.js';
import { closeRedis, connectRedis } from '../../_shared/redis/connection.js';
import { parseRedisSettings, type RedisMetadata } from '../../_shared/redis/settings.js';

/** create (SET), get (GET, GETDEL with `delete: "true"`), delete (DEL), increment (INCR); `ttlInSeconds`/`ttl` expire keys. */
class RedisBinding implements OutputBinding {
  #client?: Redis;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: RedisMetadata): Promise<void> {
    this.#client = await connectRedis(parseRedisSettings(md), this.ctx.logger);
  }

  operations() {
    return ['create', 'get', 'delete', 'increment'];
  }

  async invoke(req: BindingRequest): Promise<BindingResponse> {
    const key = req.metadata.key;
    if (!key) throw new Error('metadata "key" is required');
    const c = this.#client!;
    switch (req.operation) {
      case 'create':
        await c.set(key, req.data);
        await this.#expire(key, req.metadata);
        return {};
      case 'get': {
        const value = req.metadata.delete === 'true' ? await c.getdelBuffer(key) : await c.getBuffer(key);
        return value === null ? {} : { data: value };
      }
      case 'delete':
        await c.del(key);
        return {};
      default:
        await c.incr(key);
        await this.#expire(key, req.metadata);
        return {};
    }
  }

  async close(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    if (c) await closeRedis(c);
  }

  async #expire(key: string, md: Record<string, string>): Promise<void> {
    const seconds = md.ttlInSeconds ? Number(md.ttlInSeconds) : md.ttl ? (parseDuration(md.ttl) ?? NaN) / 1000 : undefined;
    if (seconds === undefined) return;
    if (!Number.isFinite(seconds)) throw new Error('metadata ttlInSeconds / ttl must be a number of seconds or a duration');
    if (seconds > 0) await this.#client!.expire(key, Math.ceil(seconds));
  }
}

export function createRedisBinding(ctx: ComponentContext): RedisBinding {
  return new RedisBinding(ctx);
}
