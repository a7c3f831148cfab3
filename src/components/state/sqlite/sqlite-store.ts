import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ComponentContext } from '../../../contracts/component.js';
import {
  StateFeature,
  TTL_EXPIRE_TIME,
  type DeleteRequest,
  type GetRequest,
  type SetRequest,
  type StateItem,
  type TransactionOperation,
  type TransactionalStateStore,
  type BulkGetStateStore,
  type QueryableStateStore,
  type QueryResult,
  type StateQuery,
} from '../../../contracts/state.js';
import { parseDuration } from '../../../util/duration.js';
import { assertCanDelete, assertCanWrite } from '../../_shared/etag-rules.js';
import { retryWhileBusy } from '../../_shared/sqlite-busy.js';
import { parseConnectionString } from './connection-string.js';
import { queryToSql } from './query-sql.js';
import { LIVE, prepareStatements, type Row, type Statements } from './statements.js';

export type SqliteMetadata = {
  connectionString: string;
  timeout: string;
  busyTimeout: string;
  disableWAL: boolean;
  tableName: string;
  metadataTableName: string;
  cleanupInterval: string;
};

/**
 * Durable state in one SQLite file, in the table layout daprd's `state.sqlite` uses, so either sidecar
 * can read what the other wrote. Each write runs in an IMMEDIATE transaction: the ETag check and the
 * write are atomic even when several sidecars share the file.
 */
class SqliteStateStore implements TransactionalStateStore<SqliteMetadata>, BulkGetStateStore<SqliteMetadata>, QueryableStateStore<SqliteMetadata> {
  #db?: Database.Database;
  #sql!: Statements;
  #cleanup?: NodeJS.Timeout;
  #table = 'state';

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: SqliteMetadata): Promise<void> {
    const { filename, readonly } = parseConnectionString(md.connectionString);
    if (filename !== ':memory:' && !readonly) mkdirSync(dirname(filename), { recursive: true });
    const busyMs = parseDuration(md.busyTimeout) ?? 2000;
    const db = new Database(filename, { readonly, timeout: busyMs });
    try {
      this.#sql = await retryWhileBusy(busyMs, () => {
        if (!md.disableWAL && filename !== ':memory:') db.pragma('journal_mode = WAL');
        return prepareStatements(db, md.tableName, md.metadataTableName);
      });
    } catch (err) {
      db.close();
      throw err;
    }
    this.#db = db;
    this.#table = md.tableName;
    const cleanupMs = parseDuration(md.cleanupInterval, 's') ?? 0;
    if (cleanupMs > 0) {
      this.#cleanup = setInterval(() => this.#deleteExpired(), cleanupMs).unref();
    }
  }

  features() {
    return [StateFeature.ETag, StateFeature.Transactional, StateFeature.Ttl, StateFeature.Query] as const;
  }

  async query(q: StateQuery): Promise<QueryResult> {
    const { sql, params } = queryToSql(this.#table, LIVE, q);
    const rows = this.#db!.prepare<unknown[], { key: string; value: string; etag: string }>(sql).all(...params);
    return { results: rows.map((r) => ({ key: r.key, data: Buffer.from(r.value, 'utf8'), etag: r.etag })) };
  }

  async get(req: GetRequest): Promise<StateItem | undefined> {
    const row = this.#sql.get.get(req.key);
    return row ? toItem(row) : undefined;
  }

  async bulkGet(requests: GetRequest[]): Promise<Array<StateItem | undefined>> {
    return this.#db!.transaction(() => requests.map((r) => {
      const row = this.#sql.get.get(r.key);
      return row ? toItem(row) : undefined;
    }))();
  }

  async set(req: SetRequest): Promise<void> {
    this.#db!.transaction(() => this.#set(req)).immediate();
  }

  async delete(req: DeleteRequest): Promise<void> {
    this.#db!.transaction(() => this.#delete(req)).immediate();
  }

  async multi(operations: TransactionOperation[]): Promise<void> {
    // A thrown ETagError rolls the whole transaction back.
    this.#db!.transaction(() => {
      for (const op of operations) {
        if (op.operation === 'upsert') this.#set(op.request);
        else this.#delete(op.request);
      }
    }).immediate();
  }

  async close(): Promise<void> {
    clearInterval(this.#cleanup);
    this.#db?.close();
    this.#db = undefined;
  }

  #set(req: SetRequest): void {
    assertCanWrite(req.key, this.#sql.currentEtag.get(req.key)?.etag, req.etag, req.concurrency);
    const { data, binary } = req.value;
    this.#sql.upsert.run({
      key: req.key,
      value: binary ? data.toString('base64') : data.toString('utf8'),
      isBinary: binary ? 1 : 0,
      ttl: req.ttlInSeconds !== undefined && req.ttlInSeconds > 0 ? Math.floor(req.ttlInSeconds) : null,
    });
  }

  #delete(req: DeleteRequest): void {
    assertCanDelete(req.key, this.#sql.currentEtag.get(req.key)?.etag, req.etag);
    this.#sql.delete.run(req.key);
  }

  #deleteExpired(): void {
    try {
      const { changes } = this.#sql.deleteExpired.run();
      if (changes > 0) this.ctx.logger.debug({ rows: changes }, 'expired state removed');
    } catch (err) {
      this.ctx.logger.warn({ err }, 'expired state cleanup failed');
    }
  }
}

function toItem(row: Row): StateItem {
  const item: StateItem = {
    data: row.is_binary ? Buffer.from(row.value, 'base64') : Buffer.from(row.value, 'utf8'),
    etag: row.etag,
  };
  // SQLite keeps "YYYY-MM-DD HH:MM:SS" in UTC.
  if (row.expiration_time) item.metadata = { [TTL_EXPIRE_TIME]: `${row.expiration_time.replace(' ', 'T')}Z` };
  return item;
}

export function createSqliteStore(ctx: ComponentContext): SqliteStateStore {
  return new SqliteStateStore(ctx);
}
