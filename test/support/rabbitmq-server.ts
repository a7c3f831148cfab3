import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { ensureDebianCommand, findOnPath, freePorts, LOOPBACK, parseLoopback, startServerProcess, withPortRetries, type ServerProcess } from './server-process.js';

export interface RabbitMqServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * A RabbitMQ for the tests: `MECHA_TEST_RABBITMQ` (loopback `host:port`) when it accepts a connection,
 * else a private node (installed with apt-get when missing): its own name, free loopback ports for AMQP
 * and distribution, a private epmd on loopback (stopped with it), data, logs and config in a temp folder,
 * no plugins, none of /etc/rabbitmq. Reachable as guest/guest, which RabbitMQ allows from loopback only.
 * Ready when an AMQP connection succeeds (here about 5–7 s, most of it Erlang loading RabbitMQ's modules).
 */
export async function ensureRabbitMq(): Promise<RabbitMqServer> {
  const external = process.env.MECHA_TEST_RABBITMQ;
  if (external) {
    const { host, port } = parseLoopback('MECHA_TEST_RABBITMQ', external);
    const url = `amqp://guest:guest@${host}:${port}`;
    if (await acceptsAmqp(url)) return { url, stop: async () => {} };
    process.stderr.write(`MECHA_TEST_RABBITMQ=${external} does not accept a connection; starting a private RabbitMQ node\n`);
  }
  await ensureDebianCommand('rabbitmq-server', 'rabbitmq-server');
  const epmdBin = await findOnPath('epmd', ['/usr/lib/erlang/bin']);
  if (!epmdBin) throw new Error('rabbitmq-server is installed but epmd (erlang-base) is not');
  return withPortRetries(async () => {
    const [port, dist, epmdPort] = await freePorts(3);
    const dir = await mkdtemp(join(tmpdir(), 'mecha-rabbitmq-'));
    await chmod(dir, 0o777);
    await writeFile(join(dir, 'rabbitmq-env.conf'), '');
    const epmd = await startServerProcess({
      name: 'epmd',
      bin: epmdBin,
      args: ['-port', String(epmdPort), '-address', LOOPBACK],
      ready: () => acceptsTcp(epmdPort!),
      readyTimeoutMs: 5_000,
    });
    let server: ServerProcess;
    try {
      server = await startServerProcess({
        name: 'rabbitmq-server',
        // The script itself, not the /usr/sbin wrapper that switches to the rabbitmq user.
        bin: '/usr/lib/rabbitmq/bin/rabbitmq-server',
        args: [],
        cwd: dir,
        env: {
          ...process.env,
          ERL_EPMD_PORT: String(epmdPort),
          RABBITMQ_NODE_PORT: String(port),
          RABBITMQ_NODE_IP_ADDRESS: LOOPBACK,
          RABBITMQ_DIST_PORT: String(dist),
          RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
          RABBITMQ_NODENAME: `mecha-${port}@localhost`,
          RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
          RABBITMQ_LOG_BASE: join(dir, 'log'),
          RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
          RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
          RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
          RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
        },
        ready: () => acceptsAmqp(`amqp://guest:guest@${LOOPBACK}:${port}`),
        readyTimeoutMs: 60_000,
      });
    } catch (err) {
      await epmd.stop();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    return {
      url: `amqp://guest:guest@${LOOPBACK}:${port}`,
      stop: async () => {
        await server.stop();
        await epmd.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
}

/** An AMQP connection opens (handshake and login included) within a second. */
async function acceptsAmqp(url: string): Promise<boolean> {
  try {
    const conn = await connect(url, { timeout: 1000 });
    await conn.close();
    return true;
  } catch {
    return false;
  }
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK, port });
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
  });
}
