import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { ComponentContext } from '../../../contracts/component.js';
import type { NameResolution, SidecarInstance } from '../../../contracts/nameresolution.js';
import { parseDuration } from '../../../util/duration.js';
import { retryWhileBusy } from '../../_shared/sqlite-busy.js';

export type SqliteRegistryMetadata = {
  connectionString?: string;
  updateInterval: string;
  timeout: string;
  tableName: string;
  metadataTableName: string;
  cleanupInterval: string;
};

/**
 * Registrations live in one SQLite file with a heartbeat. An entry counts while its heartbeat is
 * fresher than three update intervals and, on this host, while its process is alive, so a sidecar
 * killed with SIGKILL drops out at once. Replicas of one app-id are handed out round-robin.
 */
const LOOKUP_CACHE_MS = 1000;

class SqliteRegistry implements NameResolution<SqliteRegistryMetadata> {
  #db?: Database.Database;
  #timers: NodeJS.Timeout[] = [];
  #id = randomUUID();
  #staleMs = 15_000;
  #table = 'hosts';
  readonly #turn = new Map<string, number>();
  /** Lookups are reused briefly: a query per invocation costs more than the call itself under load. */
  readonly #recent = new Map<string, { rows: Array<{ address: string; pid: number }>; until: number }>();
  #lookup?: Database.Statement;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: SqliteRegistryMetadata): Promise<void> {
    const file = md.connectionString || join(homedir(), '.mecha', 'nameresolution.db');
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: 5000 });
    this.#table = md.tableName;
    await retryWhileBusy(5000, () => {
      db.pragma('journal_mode = WAL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS ${md.metadataTableName} (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS ${md.tableName} (
          registration_id TEXT NOT NULL PRIMARY KEY,
          address TEXT NOT NULL,
          app_id TEXT NOT NULL,
          namespace TEXT NOT NULL DEFAULT '',
          pid INTEGER NOT NULL,
          last_update INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ${md.tableName}_app ON ${md.tableName} (app_id, namespace);
      `);
    }).catch((err: unknown) => {
      db.close();
      throw err;
    });
    this.#db = db;
    const interval = parseDuration(md.updateInterval) ?? 5000;
    this.#staleMs = interval * 3;
    const cleanup = parseDuration(md.cleanupInterval) ?? 3_600_000;
    this.#timers.push(setInterval(() => this.#heartbeat(), interval).unref());
    if (cleanup > 0) this.#timers.push(setInterval(() => this.#cleanup(), cleanup).unref());
    this.#cleanup();
  }

  async register(self: SidecarInstance): Promise<void> {
    this.#db!.prepare(`INSERT OR REPLACE INTO ${this.#table} (registration_id, address, app_id, namespace, pid, last_update) VALUES (?, ?, ?, ?, ?, ?)`).run(
      this.#id,
      self.host.includes(":") ? `[${self.host}]:${self.port}` : `${self.host}:${self.port}`,
      self.appId,
      self.namespace,
      process.pid,
      Date.now(),
    );
  }

  /** Like daprd's SQLite resolver, self-hosted: the namespace is not part of the lookup (`orders.default` finds `orders`). */
  async resolve(appId: string): Promise<string[]> {
    const key = appId;
    let cached = this.#recent.get(key);
    if (!cached || cached.until < Date.now()) {
      this.#lookup ??= this.#db!.prepare(`SELECT address, pid FROM ${this.#table} WHERE app_id = ? AND last_update > ? ORDER BY registration_id`);
      const rows = this.#lookup.all(appId, Date.now() - this.#staleMs) as Array<{ address: string; pid: number }>;
      cached = { rows, until: Date.now() + LOOKUP_CACHE_MS };
      this.#recent.set(key, cached);
    }
    // Liveness is checked on every call, so a killed sidecar drops out even from a cached lookup.
    const live = cached.rows.filter((r) => isAlive(r.pid)).map((r) => r.address);
    if (live.length <= 1) return live;
    const turn = (this.#turn.get(key) ?? -1) + 1;
    this.#turn.set(key, turn);
    const start = turn % live.length;
    return [...live.slice(start), ...live.slice(0, start)];
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    try {
      this.#db?.prepare(`DELETE FROM ${this.#table} WHERE registration_id = ?`).run(this.#id);
    } finally {
      this.#db?.close();
      this.#db = undefined;
    }
  }

  #heartbeat(): void {
    try {
      this.#db?.prepare(`UPDATE ${this.#table} SET last_update = ? WHERE registration_id = ?`).run(Date.now(), this.#id);
    } catch (err) {
      this.ctx.logger.warn({ err: (err as Error).message }, 'name registry heartbeat failed');
    }
  }

  #cleanup(): void {
    try {
      const stale = this.#db?.prepare(`SELECT registration_id, pid, last_update FROM ${this.#table}`).all() as Array<{ registration_id: string; pid: number; last_update: number }>;
      const cutoff = Date.now() - this.#staleMs;
      const del = this.#db?.prepare(`DELETE FROM ${this.#table} WHERE registration_id = ?`);
      for (const r of stale ?? []) if (r.last_update < cutoff || !isAlive(r.pid)) del?.run(r.registration_id);
    } catch (err) {
      this.ctx.logger.warn({ err: (err as Error).message }, 'name registry cleanup failed');
    }
  }
}

/** Whether a process of this host still runs (EPERM means it does, owned by someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createSqliteRegistry(ctx: ComponentContext): SqliteRegistry {
  return new SqliteRegistry(ctx);
}
