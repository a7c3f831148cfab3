import type pg from 'pg';
import type { Logger } from 'pino';

export interface ExpiredCleanup {
  /** Runs one round now (when no other sidecar ran one within the interval); resolves to rows deleted. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
}

/**
 * Deletes expired rows every `intervalMs`, coordinated as daprd coordinates it: a `last-cleanup` row
 * in the metadata table is moved forward only when the previous round is older than the interval, so
 * of all the sidecars sharing the table only one deletes per interval.
 */
export function scheduleExpiredCleanup(db: pg.Pool, table: string, metadataTable: string, intervalMs: number, logger: Logger): ExpiredCleanup {
  let running: Promise<number> | undefined;
  const runOnce = async (): Promise<number> => {
    const claimed = await db.query(
      `INSERT INTO ${metadataTable} (key, value) VALUES ('last-cleanup', now()::text)
       ON CONFLICT (key) DO UPDATE SET value = now()::text
       WHERE (EXTRACT('epoch' FROM now() - ${metadataTable}.value::timestamp with time zone) * 1000)::bigint > $1`,
      [Math.max(0, intervalMs - 100)],
    );
    if (claimed.rowCount === 0) return 0;
    const { rowCount } = await db.query(`DELETE FROM ${table} WHERE expiredate IS NOT NULL AND expiredate < now()`);
    if (rowCount) logger.debug({ rows: rowCount }, 'expired state removed');
    return rowCount ?? 0;
  };
  const timer = setInterval(() => {
    if (running) return;
    running = runOnce()
      .catch((err: Error) => {
        logger.warn({ err: err.message }, 'expired state cleanup failed');
        return 0;
      })
      .finally(() => (running = undefined));
  }, intervalMs).unref();
  return {
    runOnce,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
