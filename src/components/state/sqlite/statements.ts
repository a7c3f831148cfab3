import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface Row {
  value: string;
  is_binary: number;
  etag: string;
  expiration_time: string | null;
}

export const LIVE = '(expiration_time IS NULL OR expiration_time > CURRENT_TIMESTAMP)';

/** Creates the tables (daprd's schema, migration level 1) and prepares every statement once. */
export function prepareStatements(db: Database.Database, table: string, metadataTable: string) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${metadataTable} (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS ${table} (
      key TEXT NOT NULL PRIMARY KEY,
      value TEXT NOT NULL,
      is_binary BOOLEAN NOT NULL,
      etag TEXT NOT NULL,
      expiration_time TIMESTAMP DEFAULT NULL,
      update_time TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
    );
    INSERT OR IGNORE INTO ${metadataTable} (key, value) VALUES ('migrations', '1');
  `);
  db.function('mecha_uuid', { deterministic: false }, () => randomUUID());
  return {
    get: db.prepare<[string], Row>(`SELECT value, is_binary, etag, expiration_time FROM ${table} WHERE key = ? AND ${LIVE}`),
    currentEtag: db.prepare<[string], { etag: string }>(`SELECT etag FROM ${table} WHERE key = ? AND ${LIVE}`),
    upsert: db.prepare<{ key: string; value: string; isBinary: number; ttl: number | null }>(`
      INSERT OR REPLACE INTO ${table} (key, value, is_binary, etag, expiration_time, update_time)
      VALUES (@key, @value, @isBinary, mecha_uuid(),
        CASE WHEN @ttl IS NULL THEN NULL ELSE DATETIME(CURRENT_TIMESTAMP, '+' || @ttl || ' seconds') END,
        CURRENT_TIMESTAMP)`),
    delete: db.prepare<[string]>(`DELETE FROM ${table} WHERE key = ?`),
    deleteExpired: db.prepare(`DELETE FROM ${table} WHERE expiration_time IS NOT NULL AND expiration_time <= CURRENT_TIMESTAMP`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
