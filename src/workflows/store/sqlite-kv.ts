import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KvConflict, type KvEntry, type KvStore } from './kv-store.js';

interface Row {
  value: string;
  version: number;
}

/** The engine's embedded store: one SQLite file in `--data-dir`, a version number as the ETag. */
export class SqliteKv implements KvStore {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string], Row>;
  readonly #upsert: Database.Statement<[string, string]>;
  readonly #update: Database.Statement<[string, string, number]>;
  readonly #insert: Database.Statement<[string, string]>;
  readonly #delete: Database.Statement<[string]>;
  readonly #deleteIf: Database.Statement<[string, number]>;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.#db = new Database(file, { timeout: 5000 });
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec('CREATE TABLE IF NOT EXISTS workflow_records (key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL)');
    this.#get = this.#db.prepare('SELECT value, version FROM workflow_records WHERE key = ?');
    this.#upsert = this.#db.prepare(
      'INSERT INTO workflow_records (key, value, version) VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = version + 1',
    );
    // Plain positional parameters: better-sqlite3 refuses positional values for numbered ones (?1, ?2…).
    this.#update = this.#db.prepare('UPDATE workflow_records SET value = ?, version = version + 1 WHERE key = ? AND version = ?');
    this.#insert = this.#db.prepare('INSERT INTO workflow_records (key, value, version) VALUES (?, ?, 1) ON CONFLICT(key) DO NOTHING');
    this.#delete = this.#db.prepare('DELETE FROM workflow_records WHERE key = ?');
    this.#deleteIf = this.#db.prepare('DELETE FROM workflow_records WHERE key = ? AND version = ?');
  }

  async get<T>(key: string): Promise<KvEntry<T> | undefined> {
    const row = this.#get.get(key);
    return row && { value: JSON.parse(row.value) as T, etag: String(row.version) };
  }

  async set(key: string, value: unknown, etag?: string): Promise<void> {
    const text = JSON.stringify(value);
    if (etag === undefined) this.#upsert.run(key, text);
    else if (this.#update.run(text, key, Number(etag)).changes === 0) throw new KvConflict(key);
  }

  async create(key: string, value: unknown): Promise<void> {
    if (this.#insert.run(key, JSON.stringify(value)).changes === 0) throw new KvConflict(key);
  }

  async delete(key: string, etag?: string): Promise<void> {
    if (etag === undefined) this.#delete.run(key);
    else if (this.#deleteIf.run(key, Number(etag)).changes === 0) throw new KvConflict(key);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
