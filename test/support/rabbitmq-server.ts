import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianCommand, freePorts, LOOPBACK, parseLoopback, startServerProcess, withPortRetries } from './server-process.js';

export interface RabbitMqServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * A RabbitMQ for the tests: `MECHA_TEST_RABBITMQ` (loopback `host:port`) when it answers, else a private
 * node (installed with apt-get when missing) on free loopback ports, its own node name, data and logs in
 * a temp folder, no plugins. Reachable as guest/guest, which RabbitMQ allows from loopback only.
 */
export async function ensureRabbitMq(): Promise<RabbitMqServer> {
  const external = process.env.MECHA_TEST_RABBITMQ;
  if (external) {
    const { host, port } = parseLoopback('MECHA_TEST_RABBITMQ', external);
    if (await answersAmqp(host, port)) return { url: `amqp://guest:guest@${host}:${port}`, stop: async () => {} };
    process.stderr.write(`MECHA_TEST_RABBITMQ=${external} does not answer; starting a private RabbitMQ node\n`);
  }
  await ensureDebianCommand('rabbitmq-server', 'rabbitmq-server');
  const bin = '/usr/lib/rabbitmq/bin/rabbitmq-server';
  return withPortRetries(async () => {
    const [port, dist] = await freePorts(2);
    const dir = await mkdtemp(join(tmpdir(), 'mecha-rabbitmq-'));
    await chmod(dir, 0o777);
    const server = await startServerProcess({
      name: 'rabbitmq-server',
      bin,
      args: [],
      cwd: dir,
      env: {
        ...process.env,
        RABBITMQ_NODE_PORT: String(port),
        RABBITMQ_DIST_PORT: String(dist),
        RABBITMQ_NODE_IP_ADDRESS: LOOPBACK,
        RABBITMQ_NODENAME: `mecha-${port}@localhost`,
        RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(dir, 'log'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
        RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
      },
      ready: () => answersAmqp(LOOPBACK, port!),
      readyTimeoutMs: 60_000,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    });
    return { url: `amqp://guest:guest@${LOOPBACK}:${port}`, stop: server.stop };
  });
}

/** The AMQP 0-9-1 protocol header answered by Connection.Start (a method frame), without a client library. */
function answersAmqp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1])));
    socket.once('data', (b) => done(b[0] === 1));
  });
}
