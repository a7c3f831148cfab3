/**
 * What stops `mecha run` the graceful way (the app first, then the sidecar): SIGINT (Ctrl-C), SIGTERM
 * (npm, process managers, `kill`), SIGHUP (the terminal closed) and, under npm, the end of the shell npm
 * started it with. `npm start` and `npx mecha` run the command through `sh -c`; npm forwards SIGTERM
 * and SIGINT to that shell, and dash exits without passing them on, which left the sidecar and its app
 * running. Without npm in between the parent is not watched: a disowned `mecha run &` keeps running.
 */
export type TerminationCause = NodeJS.Signals | 'parent exited';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const PARENT_POLL_MS = 200;
/** Read at load, so a parent that exits while the sidecar starts is noticed too. */
const PARENT = process.ppid;

/** Calls `handler` once, on the first cause; `again` resolves on the next one. */
export function onTermination(handler: (cause: TerminationCause, again: Promise<void>) => Promise<void>, env: NodeJS.ProcessEnv = process.env): void {
  let count = 0;
  let next!: () => void;
  const again = new Promise<void>((resolve) => (next = resolve));
  const trigger = (cause: TerminationCause) => {
    if (count++ === 0) void handler(cause, again);
    else next();
  };
  for (const signal of SIGNALS) process.on(signal, () => trigger(signal));
  if (env.npm_lifecycle_event && PARENT > 1) {
    const timer = setInterval(() => {
      if (process.ppid === PARENT) return;
      clearInterval(timer);
      trigger('parent exited');
    }, PARENT_POLL_MS).unref();
  }
}
