import type { Redis } from 'ioredis';
import type { ComponentContext } from '../../../contracts/component.js';
import type { ConfigurationHandler, ConfigurationItem, ConfigurationItems, ConfigurationStore } from '../../../contracts/configuration.js';
import { closeRedis, connectRedis } from '../../_shared/redis/connection.js';
import { parseRedisSettings, type RedisMetadata } from '../../_shared/redis/settings.js';

const SCAN_BATCH = 500;
const MAX_KEYS = 100_000;

/** `value||version` as daprd's configuration.redis stores items; a value without `||` has no version. */
function parseItem(raw: string): ConfigurationItem {
  const at = raw.lastIndexOf('||');
  return at < 0 ? { value: raw, version: '', metadata: {} } : { value: raw.slice(0, at), version: raw.slice(at + 2), metadata: {} };
}

/**
 * Configuration in Redis. Subscriptions use keyspace notifications (`__keyspace@<db>__:<key>`); the store
 * turns them on with CONFIG SET when the server allows it, else the server must have them configured.
 */
class RedisConfiguration implements ConfigurationStore<RedisMetadata> {
  #client?: Redis;
  #settings?: ReturnType<typeof parseRedisSettings>;
  readonly #subscribers = new Set<Redis>();

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: RedisMetadata): Promise<void> {
    this.#settings = parseRedisSettings(md);
    this.#client = await connectRedis(this.#settings, this.ctx.logger);
    try {
      const current = String(((await this.#client.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '');
      if (!/[KA]/.test(current) || !/[A$g]/.test(current)) await this.#client.config('SET', 'notify-keyspace-events', 'KA');
    } catch (err) {
      this.ctx.logger.warn({ err: (err as Error).message }, 'cannot enable keyspace notifications; subscriptions need notify-keyspace-events set on the server');
    }
  }

  async get(keys: string[]): Promise<ConfigurationItems> {
    const names = keys.length > 0 ? keys : await this.#allKeys();
    if (names.length === 0) return {};
    const values = await this.#client!.mget(...names);
    const out: ConfigurationItems = {};
    names.forEach((k, i) => {
      const v = values[i];
      if (v !== null) out[k] = parseItem(v);
    });
    return out;
  }

  async subscribe(keys: string[], _md: Record<string, string>, handler: ConfigurationHandler) {
    // Subscriber connections can do nothing else, so each subscription has its own.
    const sub = await connectRedis(this.#settings!, this.ctx.logger);
    this.#subscribers.add(sub);
    const db = this.#settings!.db ?? 0;
    const prefix = `__keyspace@${db}__:`;
    sub.on('pmessage', (_pattern: string, channel: string) => {
      const key = channel.slice(prefix.length);
      void this.#client!.get(key).then(
        (v) => handler({ [key]: v === null ? { value: '', version: '', metadata: {} } : parseItem(v) }),
        (err: Error) => this.ctx.logger.warn({ key, err: err.message }, 'cannot read a changed configuration item'),
      );
    });
    await sub.psubscribe(...(keys.length > 0 ? keys.map((k) => prefix + k.replace(/([*?[\]\\])/g, '\\$1')) : [`${prefix}*`]));
    return {
      close: async () => {
        this.#subscribers.delete(sub);
        await closeRedis(sub);
      },
    };
  }

  async close(): Promise<void> {
    for (const s of this.#subscribers) await closeRedis(s);
    this.#subscribers.clear();
    const c = this.#client;
    this.#client = undefined;
    if (c) await closeRedis(c);
  }

  async #allKeys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.#client!.scan(cursor, 'COUNT', SCAN_BATCH);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0' && keys.length < MAX_KEYS);
    return keys;
  }
}

export function createRedisConfiguration(ctx: ComponentContext): RedisConfiguration {
  return new RedisConfiguration(ctx);
}
