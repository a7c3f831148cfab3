import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { ensureDebianCommand, freePort, LOOPBACK, parseLoopback, startServerProcess, withPortRetries } from './server-process.js';

export interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Stream capturing every one-token subject. daprd's pubsub.jetstream never creates streams (its own
 * conformance setup adds one with `nats stream add` first); the shared suites' topics are one token
 * (`conformance-…`), so this stream serves them. Tests that need streams of their own use dotted subjects.
 */
export const NATS_TEST_STREAM = { name: 'mecha-tests', subjects: ['*'] };

export interface NatsServerOptions {
  /** Extra nats-server arguments (e.g. `['--auth', token]`). */
  args?: string[];
  /** Options for the readiness connection (e.g. `{ token }`). */
  auth?: { token?: string };
  /** Create NATS_TEST_STREAM once ready. */
  testStream?: boolean;
}

/**
 * A NATS server with JetStream for the tests: `MECHA_TEST_NATS` (loopback `host:port`) when it answers,
 * else a private `nats-server -js` on a free loopback port with its store in a temp folder (installed
 * with apt-get when missing) and no monitoring port.
 */
export async function ensureNatsServer(): Promise<NatsServer> {
  const external = process.env.MECHA_TEST_NATS;
  if (external) {
    const { host, port } = parseLoopback('MECHA_TEST_NATS', external);
    const url = `nats://${host}:${port}`;
    if (await jetStreamAnswers(url)) {
      await addTestStream(url, {});
      return { url, stop: async () => {} };
    }
    process.stderr.write(`MECHA_TEST_NATS=${external} does not answer with JetStream; starting a private nats-server\n`);
  }
  return startNatsServer({ testStream: true });
}

/** A private `nats-server -js` (for tests that need their own, e.g. with authentication). */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = await ensureDebianCommand('nats-server', 'nats-server');
  return withPortRetries(async () => {
    const port = await freePort();
    const url = `nats://${LOOPBACK}:${port}`;
    const dir = await mkdtemp(join(tmpdir(), 'mecha-nats-'));
    const server = await startServerProcess({
      name: 'nats-server',
      bin,
      args: ['-js', '-a', LOOPBACK, '-p', String(port), '-sd', dir, ...(opts.args ?? [])],
      ready: () => jetStreamAnswers(url, opts.auth),
      readyTimeoutMs: 15_000,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    });
    if (opts.testStream) await addTestStream(url, opts.auth ?? {}).catch(async (err) => {
      await server.stop();
      throw err;
    });
    return { url, stop: server.stop };
  });
}

/** Ready means a NATS connection and a JetStream account info request both succeed. */
async function jetStreamAnswers(url: string, auth: { token?: string } = {}): Promise<boolean> {
  const nc = await connect({ servers: url, timeout: 1000, reconnect: false, ...auth }).catch(() => undefined);
  if (!nc) return false;
  try {
    await (await nc.jetstreamManager({ timeout: 1000 })).getAccountInfo();
    return true;
  } catch {
    return false;
  } finally {
    await nc.close();
  }
}

async function addTestStream(url: string, auth: { token?: string }): Promise<void> {
  const nc = await connect({ servers: url, timeout: 2000, reconnect: false, ...auth });
  try {
    const jsm = await nc.jetstreamManager();
    const found = await jsm.streams.info(NATS_TEST_STREAM.name).catch(() => undefined);
    if (!found) await jsm.streams.add({ ...NATS_TEST_STREAM });
  } finally {
    await nc.close();
  }
}
