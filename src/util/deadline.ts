/**
 * Settles like `work`, or rejects with `message` once `ms` have passed first. The work itself goes on
 * (client libraries offer no cancellation); callers use this to bound waits for an unreachable server.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
