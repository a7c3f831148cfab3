import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianCommand, freePort, LOOPBACK, parseLoopback, startServerProcess, withPortRetries } from './server-process.js';

export interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * A NATS server with JetStream for the tests: `MECHA_TEST_NATS` (loopback `host:port`) when it answers,
 * else a private `nats-server -js` on a free loopback port with its store in a temp folder (installed
 * with apt-get when missing).
 */
export async function ensureNatsServer(): Promise<NatsServer> {
  const external = process.env.MECHA_TEST_NATS;
  if (external) {
    const { host, port } = parseLoopback('MECHA_TEST_NATS', external);
    if (await answersInfo(host, port)) return { url: `nats://${host}:${port}`, stop: async () => {} };
    process.stderr.write(`MECHA_TEST_NATS=${external} does not answer; starting a private nats-server\n`);
  }
  const bin = await ensureDebianCommand('nats-server', 'nats-server');
  return withPortRetries(async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'mecha-nats-'));
    const server = await startServerProcess({
      name: 'nats-server',
      bin,
      args: ['-js', '-a', LOOPBACK, '-p', String(port), '-sd', dir],
      ready: () => answersInfo(LOOPBACK, port),
      readyTimeoutMs: 10_000,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    });
    return { url: `nats://${LOOPBACK}:${port}`, stop: server.stop };
  });
}

/** NATS greets every connection with an INFO line; with JetStream on it says so. */
function answersInfo(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let text = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (b) => {
      text += b.toString();
      if (text.includes('\r\n')) done(text.startsWith('INFO ') && text.includes('"jetstream":true'));
    });
  });
}
