/**
 * Runs idempotent SQLite setup (switching to WAL, creating tables) until it stops answering SQLITE_BUSY or
 * the budget is spent. Processes opening one file at the same moment race there, and the WAL switch can
 * answer BUSY without waiting for the busy timeout.
 */
export async function retryWhileBusy<T>(budgetMs: number, step: () => T): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      return step();
    } catch (err) {
      const busy = (err as { code?: string }).code?.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }
}
