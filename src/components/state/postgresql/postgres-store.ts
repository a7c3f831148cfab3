import pg from 'pg';
import type { ComponentContext } from '../../../contracts/component.js';
import {
  ETagError,
  StateFeature,
  TTL_EXPIRE_TIME,
  formatExpireTime,
  type BulkGetStateStore,
  type DeleteRequest,
  type GetRequest,
  type QueryableStateStore,
  type QueryResult,
  type SetRequest,
  type StateItem,
  type StateQuery,
  type TransactionOperation,
  type TransactionalStateStore,
} from '../../../contracts/state.js';
import { parseDuration } from '../../../util/duration.js';
import { poolConfig, type ConnectionMetadata } from './connection-config.js';
import { scheduleExpiredCleanup, type ExpiredCleanup } from './expired-cleanup.js';
import { migrate } from './migrations.js';
import { queryToSql } from './query-sql.js';

export type PostgresMetadata = ConnectionMetadata & {
  tableName: string;
  metadataTableName: string;
  timeout: string;
  cleanupInterval: string;
  connectionMaxIdleTime: string;
  queryExecMode?: string;
  useAzureAD: boolean;
  useAWSIAM: boolean;
};

type Queryable = Pick<pg.PoolClient, 'query'>;
interface Row {
  key: string;
  /** The jsonb as PostgreSQL prints it (`{"a": 1}`). */
  value: string;
  isbinary: boolean;
  etag: string;
  expiredate: Date | null;
}

const LIVE = '(expiredate IS NULL OR expiredate > CURRENT_TIMESTAMP)';
const MAX_XID = 0xffffffff;

/**
 * State in PostgreSQL in daprd's `state.postgresql` v1 layout (key, value jsonb, isbinary, insertdate,
 * updatedate, expiredate, row_id), migrated the way daprd migrates it, so daprd and Mecha share a
 * table. The ETag is the row's xmin; conditional writes are single statements, transactions a real
 * BEGIN/COMMIT; queries run as SQL over the JSON.
 */
class PostgresStateStore implements TransactionalStateStore<PostgresMetadata>, BulkGetStateStore<PostgresMetadata>, QueryableStateStore<PostgresMetadata> {
  #pool?: pg.Pool;
  #table = 'state';
  #cleanup?: ExpiredCleanup;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: PostgresMetadata): Promise<void> {
    if (md.useAzureAD || md.useAWSIAM) throw new Error(`${md.useAzureAD ? 'useAzureAD' : 'useAWSIAM'}: token authentication is not available; give a password in the connection string`);
    const timeout = parseDuration(md.timeout, 's') ?? 20_000;
    if (timeout < 1000) throw new Error(`timeout: must be at least 1s, got "${md.timeout}"`);
    const config: pg.PoolConfig = {
      ...poolConfig(md),
      idleTimeoutMillis: parseDuration(md.connectionMaxIdleTime, 's') || undefined,
      connectionTimeoutMillis: timeout,
      statement_timeout: timeout,
    };
    this.#table = md.tableName;
    const pool = new pg.Pool(config);
    pool.on('error', (err) => this.ctx.logger.warn({ err: err.message }, 'idle PostgreSQL connection failed'));
    const lock = new pg.Client(config);
    try {
      await lock.connect();
      await migrate(pool, lock, md.tableName, md.metadataTableName);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new Error(`cannot prepare PostgreSQL table ${md.tableName}: ${(err as Error).message}`);
    } finally {
      await lock.end().catch(() => undefined);
    }
    this.#pool = pool;
    const cleanupMs = md.cleanupInterval === '' ? 3_600_000 : (parseDuration(md.cleanupInterval, 's') ?? 3_600_000);
    if (cleanupMs > 0) this.#cleanup = scheduleExpiredCleanup(pool, md.tableName, md.metadataTableName, cleanupMs, this.ctx.logger);
  }

  features() {
    return [StateFeature.ETag, StateFeature.Transactional, StateFeature.Ttl, StateFeature.Query] as const;
  }

  async get(req: GetRequest): Promise<StateItem | undefined> {
    const { rows } = await this.#pool!.query<Row>(`SELECT key, value::text AS value, isbinary, xmin::text AS etag, expiredate FROM ${this.#table} WHERE key = $1 AND ${LIVE}`, [req.key]);
    return rows[0] && toItem(rows[0]);
  }

  async bulkGet(requests: GetRequest[]): Promise<Array<StateItem | undefined>> {
    const { rows } = await this.#pool!.query<Row>(`SELECT key, value::text AS value, isbinary, xmin::text AS etag, expiredate FROM ${this.#table} WHERE key = ANY($1) AND ${LIVE}`, [requests.map((r) => r.key)]);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return requests.map((r) => {
      const row = byKey.get(r.key);
      return row && toItem(row);
    });
  }

  async set(req: SetRequest): Promise<void> {
    await this.#set(this.#pool!, req);
  }

  async delete(req: DeleteRequest): Promise<void> {
    await this.#delete(this.#pool!, req);
  }

  async multi(operations: TransactionOperation[]): Promise<void> {
    if (operations.length === 1) return this.#apply(this.#pool!, operations[0]!);
    const client = await this.#pool!.connect();
    try {
      await client.query('BEGIN');
      for (const op of operations) await this.#apply(client, op);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async query(q: StateQuery): Promise<QueryResult> {
    const { sql, params } = queryToSql(this.#table, LIVE, q);
    const { rows } = await this.#pool!.query<Row>(sql, params);
    return { results: rows.map((r) => ({ key: r.key, data: toItem(r).data, etag: r.etag })) };
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await this.#cleanup?.stop();
    this.#cleanup = undefined;
    await pool?.end();
  }

  /** One cleanup round now, as daprd's CleanupExpired (for tests and operators). */
  async cleanupExpired(): Promise<number> {
    return (await this.#cleanup?.runOnce()) ?? 0;
  }

  async #apply(db: Queryable, op: TransactionOperation): Promise<void> {
    if (op.operation === 'upsert') await this.#set(db, op.request);
    else await this.#delete(db, op.request);
  }

  async #set(db: Queryable, req: SetRequest): Promise<void> {
    const { data, binary } = req.value;
    const value = binary ? JSON.stringify(data.toString('base64')) : asJson(data.toString('utf8'));
    const ttl = req.ttlInSeconds !== undefined && req.ttlInSeconds > 0 ? Math.floor(req.ttlInSeconds) : null;
    const expires = `CASE WHEN $4::int IS NULL THEN NULL ELSE CURRENT_TIMESTAMP + make_interval(secs => $4::int) END`;
    const params: unknown[] = [req.key, value, binary, ttl];
    let sql: string;
    if (req.etag !== undefined) {
      params.push(checkEtag(req.etag));
      sql = `UPDATE ${this.#table} SET value = $2, isbinary = $3, updatedate = CURRENT_TIMESTAMP, expiredate = ${expires}
             WHERE key = $1 AND xmin::text = $5 AND ${LIVE}`;
    } else if (req.concurrency === 'first-write') {
      // Inserts, or replaces only an expired row: a live one makes the write fail.
      sql = `INSERT INTO ${this.#table} (key, value, isbinary, expiredate) VALUES ($1, $2, $3, ${expires})
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, isbinary = EXCLUDED.isbinary, insertdate = CURRENT_TIMESTAMP, updatedate = NULL, expiredate = EXCLUDED.expiredate
             WHERE ${this.#table}.expiredate IS NOT NULL AND ${this.#table}.expiredate <= CURRENT_TIMESTAMP`;
    } else {
      sql = `INSERT INTO ${this.#table} (key, value, isbinary, expiredate) VALUES ($1, $2, $3, ${expires})
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, isbinary = EXCLUDED.isbinary, updatedate = CURRENT_TIMESTAMP, expiredate = EXCLUDED.expiredate`;
    }
    const { rowCount } = await db.query(sql, params);
    if (rowCount === 0) {
      throw new ETagError('mismatch', req.etag !== undefined ? `state etag not match for key=${req.key}` : `item ${req.key} already exists and no etag was passed`);
    }
  }

  async #delete(db: Queryable, req: DeleteRequest): Promise<void> {
    if (req.etag === undefined) {
      await db.query(`DELETE FROM ${this.#table} WHERE key = $1`, [req.key]);
      return;
    }
    const { rowCount } = await db.query(`DELETE FROM ${this.#table} WHERE key = $1 AND xmin::text = $2`, [req.key, checkEtag(req.etag)]);
    if (rowCount === 0) throw new ETagError('mismatch', `state etag not match for key=${req.key}`);
  }
}

/** ETags are xmin values: unsigned 32-bit decimals, as daprd parses them. */
function checkEtag(etag: string): string {
  if (!/^\d{1,10}$/.test(etag) || Number(etag) > MAX_XID) throw new ETagError('invalid', `invalid etag value: ${etag}`);
  return String(Number(etag));
}

/** JSON text as it is; anything else stored as a JSON string, as daprd does. */
function asJson(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}

/** Binary values are base64 in a JSON string; JSON values are served compact, digits kept as stored. */
function toItem(row: Row): StateItem {
  const data = row.isbinary ? Buffer.from(JSON.parse(row.value) as string, 'base64') : Buffer.from(compactJson(row.value));
  const item: StateItem = { data, etag: row.etag };
  if (row.expiredate) item.metadata = { [TTL_EXPIRE_TIME]: formatExpireTime(row.expiredate.getTime()) };
  return item;
}

/** Drops the spaces jsonb's text form puts after `,` and `:` (outside strings), without re-parsing numbers. */
function compactJson(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|\s+/g, (m) => (m[0] === '"' ? m : ''));
}

export function createPostgresStore(ctx: ComponentContext): PostgresStateStore {
  return new PostgresStateStore(ctx);
}
