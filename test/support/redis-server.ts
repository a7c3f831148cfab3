import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianCommand, freePort, LOOPBACK, parseLoopback, startServerProcess, withPortRetries } from './server-process.js';

export interface RedisServer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A Redis for the tests: `MECHA_TEST_REDIS` (loopback `host:port`) when it answers, else a private
 * `redis-server` on a free loopback port, installed with apt-get first when missing.
 */
export async function ensureRedisServer(): Promise<RedisServer> {
  const external = process.env.MECHA_TEST_REDIS;
  if (external) {
    const { host, port } = parseLoopback('MECHA_TEST_REDIS', external);
    if (await ping(host, port)) return { host, port, stop: async () => {} };
    process.stderr.write(`MECHA_TEST_REDIS=${external} does not answer PING; starting a private redis-server\n`);
  }
  return withPortRetries(async () => startRedisServer(await freePort()));
}

/** A private `redis-server` without persistence on `port` (installed with apt-get first when missing). */
export async function startRedisServer(port: number): Promise<RedisServer> {
  const bin = await ensureDebianCommand('redis-server', 'redis-server');
  const dir = await mkdtemp(join(tmpdir(), 'mecha-redis-'));
  const server = await startServerProcess({
    name: 'redis-server',
    bin,
    args: ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir],
    ready: () => ping(LOOPBACK, port),
    readyTimeoutMs: 10_000,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  });
  return { host: LOOPBACK, port, stop: server.stop };
}

/** A raw RESP PING, so this helper depends on nothing but node. */
function ping(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
