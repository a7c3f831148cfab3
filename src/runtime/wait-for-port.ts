import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves once something accepts TCP connections on host:port. Polls with a growing pause (50 ms up to
 * 1 s) so a slow app costs no CPU; stops when the signal aborts.
 */
export async function waitForPort(host: string, port: number, signal: AbortSignal): Promise<void> {
  let pause = 50;
  while (!signal.aborted) {
    if (await canConnect(host, port)) return;
    await sleep(pause, undefined, { signal }).catch(() => undefined);
    pause = Math.min(pause * 2, 1000);
  }
  throw new Error(`stopped waiting for the app on ${host}:${port}`);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
