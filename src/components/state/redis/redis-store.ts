import type { Redis } from 'ioredis';
import type { ComponentContext } from '../../../contracts/component.js';
import {
  ETagError,
  StateFeature,
  type BulkGetStateStore,
  type DeleteRequest,
  type GetRequest,
  type SetRequest,
  type StateItem,
  type TransactionOperation,
  type TransactionalStateStore,
} from '../../../contracts/state.js';
import { closeRedis, connectRedis } from '../../_shared/redis/connection.js';
import { parseRedisSettings, type RedisMetadata } from '../../_shared/redis/settings.js';
import { APPLY_SCRIPT, scriptArgs, type ScriptOp } from './scripts.js';

export type RedisStateMetadata = RedisMetadata & {
  ttlInSeconds?: number;
  queryIndexes?: string;
};

type Apply = (...args: Array<string | number | Buffer>) => Promise<number>;
const COMMAND = 'mechaStateApply';
const INT64 = /^[+-]?\d+$/;
const WAIT_TIMEOUT_MS = 1000;

/**
 * State in Redis, stored exactly as daprd's `state.redis` stores it (hash of data + integer version),
 * so both sidecars can share one database. Every write goes through one Lua script, which makes the
 * ETag check, the write and the TTL change atomic, and makes transactions all-or-nothing.
 */
class RedisStateStore implements TransactionalStateStore<RedisStateMetadata>, BulkGetStateStore<RedisStateMetadata> {
  #client?: Redis;
  #defaultTtl?: number;
  #replicas = 0;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: RedisStateMetadata): Promise<void> {
    const settings = parseRedisSettings(md);
    if (md.queryIndexes) this.ctx.logger.warn('queryIndexes is ignored: this state store has no query API');
    this.#defaultTtl = md.ttlInSeconds;
    const client = await connectRedis(settings, this.ctx.logger);
    try {
      client.defineCommand(COMMAND, { lua: APPLY_SCRIPT });
      this.#replicas = parseConnectedReplicas(await client.info('replication'));
    } catch (err) {
      client.disconnect();
      throw err;
    }
    this.#client = client;
  }

  features() {
    return [StateFeature.ETag, StateFeature.Transactional, StateFeature.Ttl] as const;
  }

  async get(req: GetRequest): Promise<StateItem | undefined> {
    const client = this.#connected();
    try {
      return toItem(req.key, await client.hgetallBuffer(req.key));
    } catch (err) {
      if (!isWrongType(err)) throw err;
      return legacyItem(await client.getBuffer(req.key));
    }
  }

  async bulkGet(requests: GetRequest[]): Promise<Array<StateItem | undefined>> {
    if (requests.length === 0) return [];
    const client = this.#connected();
    const pipeline = client.pipeline();
    for (const r of requests) pipeline.hgetallBuffer(r.key);
    const replies = (await pipeline.exec()) ?? [];
    return Promise.all(requests.map(async (r, i) => {
      const [err, fields] = replies[i] ?? [new Error('no reply')];
      if (!err) return toItem(r.key, fields as Record<string, Buffer>);
      if (!isWrongType(err)) throw err;
      return legacyItem(await client.getBuffer(r.key));
    }));
  }

  async set(req: SetRequest): Promise<void> {
    const refused = await this.#apply([this.#setOp(req)]);
    if (refused === 0) return this.#waitIfStrong([req]);
    if (hasEtag(req.etag)) throw new ETagError('mismatch', `failed to set key ${req.key}: etag ${req.etag} does not match`);
    throw new Error(`failed to set key ${req.key}: it was saved with first-write concurrency and no etag was given`);
  }

  async delete(req: DeleteRequest): Promise<void> {
    const refused = await this.#apply([{ kind: 'delete', key: req.key, etag: hasEtag(req.etag) ? req.etag : '0' }]);
    if (refused !== 0) throw new ETagError('mismatch', `failed to delete key ${req.key}: etag ${req.etag} does not match`);
    return this.#waitIfStrong([req]);
  }

  async multi(operations: TransactionOperation[]): Promise<void> {
    if (operations.length === 0) return;
    // Invalid ETags are rejected before anything reaches the server.
    const ops = operations.map((op): ScriptOp =>
      op.operation === 'upsert'
        ? this.#setOp(op.request)
        : { kind: 'delete', key: op.request.key, etag: hasEtag(op.request.etag) ? op.request.etag : '0' },
    );
    const refused = await this.#apply(ops);
    if (refused !== 0) {
      const key = ops[refused - 1].key;
      throw new ETagError('mismatch', `transaction aborted, nothing was changed: etag mismatch for key ${key}`);
    }
    return this.#waitIfStrong(operations.map((op) => op.request));
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await closeRedis(client);
  }

  #setOp(req: SetRequest): ScriptOp {
    return {
      kind: 'set',
      key: req.key,
      etag: writeEtag(req),
      data: req.value.data,
      firstWrite: req.concurrency === 'first-write',
      ttlInSeconds: req.ttlInSeconds ?? this.#defaultTtl,
    };
  }

  async #apply(ops: ScriptOp[]): Promise<number> {
    const apply = (this.#connected() as unknown as Record<typeof COMMAND, Apply>)[COMMAND];
    return Number(await apply.apply(this.#client, scriptArgs(ops)));
  }

  /** Like daprd: strong consistency waits for the replicas seen at init, when there are any. */
  async #waitIfStrong(reqs: Array<{ consistency?: string }>): Promise<void> {
    if (this.#replicas > 0 && reqs.some((r) => r.consistency === 'strong')) {
      await this.#connected().wait(this.#replicas, WAIT_TIMEOUT_MS);
    }
  }

  #connected(): Redis {
    if (!this.#client) throw new Error('redis state store is not initialised or already closed');
    return this.#client;
  }
}

function hasEtag(etag: string | undefined): etag is string {
  return etag !== undefined && etag !== '';
}

/** The version a write must match, as daprd parses it: last-write or no ETag means "0" (none). */
function writeEtag(req: SetRequest): string {
  if (req.concurrency === 'last-write' || !hasEtag(req.etag)) return '0';
  const n = INT64.test(req.etag) ? BigInt(req.etag) : undefined;
  if (n === undefined || n > 0x7fffffffffffffffn || n < -0x8000000000000000n) {
    throw new ETagError('invalid', `invalid etag ${JSON.stringify(req.etag)} for key ${req.key}: it must be an integer`);
  }
  return n.toString();
}

function toItem(key: string, fields: Record<string, Buffer>): StateItem | undefined {
  if (Object.keys(fields).length === 0) return undefined;
  const { data, version } = fields;
  if (!data || !version) throw new Error(`redis key ${key} is a hash without the 'data' and 'version' fields`);
  return { data, etag: version.toString() };
}

/** Keys written as plain strings (before versioned hashes) are still readable, without an ETag. */
function legacyItem(data: Buffer | null): StateItem | undefined {
  return data === null ? undefined : { data };
}

function isWrongType(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('WRONGTYPE');
}

function parseConnectedReplicas(info: string): number {
  const m = /^connected_slaves:(\d+)/m.exec(info);
  return m ? Number(m[1]) : 0;
}

export function createRedisStore(ctx: ComponentContext): RedisStateStore {
  return new RedisStateStore(ctx);
}
