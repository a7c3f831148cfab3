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
import { queryToSql } from './query-sql.js';

export type PostgresMetadata = {
  connectionString: string;
  tableName: string;
  metadataTableName: string;
  timeoutInSeconds: number;
  cleanupIntervalInSeconds: number;
  maxConns: number;
  connectionMaxIdleTime: string;
};

type Queryable = Pick<pg.PoolClient, 'query'>;
interface Row {
  key: string;
  value: unknown;
  isbinary: boolean;
  etag: string;
  expiredate: Date | null;
}

const LIVE = '(expiredate IS NULL OR expiredate > CURRENT_TIMESTAMP)';

/**
 * State in PostgreSQL in daprd's `state.postgresql` v1 layout (key, value jsonb, isbinary, insertdate,
 * updatedate, expiredate), so daprd and Mecha share a table. The ETag is the row's xmin; conditional
 * writes are single statements, transactions a real BEGIN/COMMIT; queries run as SQL over the JSON.
 */
class PostgresStateStore implements TransactionalStateStore<PostgresMetadata>, BulkGetStateStore<PostgresMetadata>, QueryableStateStore<PostgresMetadata> {
  #pool?: pg.Pool;
  #table = 'state';
  #cleanup?: NodeJS.Timeout;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: PostgresMetadata): Promise<void> {
    this.#table = md.tableName;
    const timeout = md.timeoutInSeconds * 1000;
    this.#pool = new pg.Pool({
      connectionString: md.connectionString,
      max: md.maxConns,
      idleTimeoutMillis: parseDuration(md.connectionMaxIdleTime) ?? 300_000,
      connectionTimeoutMillis: timeout,
      statement_timeout: timeout,
    });
    this.#pool.on('error', (err) => this.ctx.logger.warn({ err: err.message }, 'idle PostgreSQL connection failed'));
    try {
      await this.#pool.query(`
        CREATE TABLE IF NOT EXISTS ${md.metadataTableName} (key text NOT NULL PRIMARY KEY, value text NOT NULL);
        CREATE TABLE IF NOT EXISTS ${md.tableName} (
          key text NOT NULL PRIMARY KEY,
          value jsonb NOT NULL,
          isbinary boolean NOT NULL,
          insertdate TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
          updatedate TIMESTAMP WITH TIME ZONE NULL,
          expiredate TIMESTAMP WITH TIME ZONE NULL
        );
        INSERT INTO ${md.metadataTableName} (key, value) VALUES ('migrations', '2') ON CONFLICT (key) DO NOTHING;`);
    } catch (err) {
      await this.#pool.end().catch(() => undefined);
      this.#pool = undefined;
      throw new Error(`cannot prepare PostgreSQL table ${md.tableName}: ${(err as Error).message}`);
    }
    if (md.cleanupIntervalInSeconds > 0) this.#cleanup = setInterval(() => void this.#deleteExpired(), md.cleanupIntervalInSeconds * 1000).unref();
  }

  features() {
    return [StateFeature.ETag, StateFeature.Transactional, StateFeature.Ttl, StateFeature.Query] as const;
  }

  async get(req: GetRequest): Promise<StateItem | undefined> {
    const { rows } = await this.#pool!.query<Row>(`SELECT key, value, isbinary, xmin::text AS etag, expiredate FROM ${this.#table} WHERE key = $1 AND ${LIVE}`, [req.key]);
    return rows[0] && toItem(rows[0]);
  }

  async bulkGet(requests: GetRequest[]): Promise<Array<StateItem | undefined>> {
    const { rows } = await this.#pool!.query<Row>(`SELECT key, value, isbinary, xmin::text AS etag, expiredate FROM ${this.#table} WHERE key = ANY($1) AND ${LIVE}`, [requests.map((r) => r.key)]);
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
    const client = await this.#pool!.connect();
    try {
      await client.query('BEGIN');
      for (const op of operations) {
        if (op.operation === 'upsert') await this.#set(client, op.request);
        else await this.#delete(client, op.request);
      }
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
    const more = q.limit > 0 && rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    return { results: page.map((r) => ({ key: r.key, data: toItem(r).data, etag: r.etag })), token: more ? String(q.offset + q.limit) : undefined };
  }

  async close(): Promise<void> {
    clearInterval(this.#cleanup);
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  async #set(db: Queryable, req: SetRequest): Promise<void> {
    const { data, binary } = req.value;
    const value = binary ? JSON.stringify(data.toString('base64')) : asJson(data.toString('utf8'));
    const ttl = req.ttlInSeconds !== undefined && req.ttlInSeconds > 0 ? Math.floor(req.ttlInSeconds) : null;
    const expires = `CASE WHEN $4::int IS NULL THEN NULL ELSE CURRENT_TIMESTAMP + make_interval(secs => $4::int) END`;
    const params: unknown[] = [req.key, value, binary, ttl];
    let sql: string;
    if (req.etag !== undefined) {
      if (!/^\d+$/.test(req.etag)) throw new ETagError('invalid', `invalid etag value: ${req.etag}`);
      params.push(req.etag);
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
    if (!/^\d+$/.test(req.etag)) throw new ETagError('invalid', `invalid etag value: ${req.etag}`);
    const { rowCount } = await db.query(`DELETE FROM ${this.#table} WHERE key = $1 AND xmin::text = $2 AND ${LIVE}`, [req.key, req.etag]);
    if (rowCount === 0) throw new ETagError('mismatch', `state etag not match for key=${req.key}`);
  }

  async #deleteExpired(): Promise<void> {
    try {
      const { rowCount } = await this.#pool!.query(`DELETE FROM ${this.#table} WHERE expiredate IS NOT NULL AND expiredate <= CURRENT_TIMESTAMP`);
      if (rowCount) this.ctx.logger.debug({ rows: rowCount }, 'expired state removed');
    } catch (err) {
      this.ctx.logger.warn({ err: (err as Error).message }, 'expired state cleanup failed');
    }
  }
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

/** jsonb comes back parsed; values are served as compact JSON (PostgreSQL normalises key order and spacing). */
function toItem(row: Row): StateItem {
  const data = row.isbinary ? Buffer.from(String(row.value), 'base64') : Buffer.from(JSON.stringify(row.value));
  const item: StateItem = { data, etag: row.etag };
  if (row.expiredate) item.metadata = { [TTL_EXPIRE_TIME]: formatExpireTime(row.expiredate.getTime()) };
  return item;
}

export function createPostgresStore(ctx: ComponentContext): PostgresStateStore {
  return new PostgresStateStore(ctx);
}
