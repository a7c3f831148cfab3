/** Resolves after `ms`; rejects when the route stops first, so the message stays unacknowledged. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('the route stopped'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('the route stopped'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits a few milliseconds (more on each attempt, with jitter) before retrying a lost compare-and-set. */
export function backoff(attempt: number, signal: AbortSignal): Promise<void> {
  const ms = Math.min(200, 5 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random());
  return sleep(ms, signal).catch(() => undefined);
}
