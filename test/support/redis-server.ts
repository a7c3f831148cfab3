import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RedisServer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const INSTALL_TIMEOUT_MS = 5 * 60_000;
const READY_TIMEOUT_MS = 10_000;
const POLL_MS = 50;
const STOP_TIMEOUT_MS = 5_000;
const START_ATTEMPTS = 3;

/**
 * A Redis for the tests: `MECHA_TEST_REDIS` (loopback `host:port`) when it answers, else a private
 * `redis-server` on a free loopback port, installed with apt-get first when missing.
 */
export async function ensureRedisServer(): Promise<RedisServer> {
  const external = process.env.MECHA_TEST_REDIS;
  if (external) {
    const { host, port } = parseLoopback(external);
    if (await ping(host, port)) return { host, port, stop: async () => {} };
    process.stderr.write(`MECHA_TEST_REDIS=${external} does not answer PING; starting a private redis-server\n`);
  }
  const bin = (await findOnPath('redis-server')) ?? (await install());
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await start(bin);
    } catch (err) {
      lastError = err; // most likely the free port was taken between probing and binding
    }
  }
  throw lastError;
}

async function start(bin: string): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'mecha-redis-'));
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => { spawnError = err; });

  const stop = async () => {
    await kill(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
    if (await ping(HOST, port)) return { host: HOST, port, stop };
    await sleep(POLL_MS);
  }
  await stop();
  throw new Error(`redis-server did not answer PING on ${HOST}:${port}: ${spawnError?.message ?? output.trim()}`);
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

let installing: Promise<string> | undefined;

/** One apt-get per process, bounded in time. */
function install(): Promise<string> {
  installing ??= new Promise<string>((resolve, reject) => {
    const child = spawn('sh', ['-c', 'apt-get update && apt-get install -y --no-install-recommends redis-server'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: INSTALL_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let output = '';
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', reject);
    child.once('exit', async (code, signal) => {
      const bin = code === 0 ? await findOnPath('redis-server') : undefined;
      if (bin) resolve(bin);
      else reject(new Error(`installing redis-server failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
  return installing;
}

async function findOnPath(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
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

function parseLoopback(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text.trim());
  const host = m?.[1];
  if (!m || !host || !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`MECHA_TEST_REDIS must be a loopback host:port, got ${JSON.stringify(text)}`);
  }
  return { host, port: Number(m[2]) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
