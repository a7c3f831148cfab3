import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** Plumbing shared by the test servers (Redis, Kafka, PostgreSQL, brokers): install, spawn, wait, stop. */

export const LOOPBACK = '127.0.0.1';
const INSTALL_TIMEOUT_MS = 8 * 60_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 50;

export interface ServerProcess {
  child: ChildProcess;
  /** The last few KB the process printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions extends Pick<SpawnOptions, 'cwd' | 'env'> {
  /** Name used in errors. */
  name: string;
  bin: string;
  args: string[];
  /** Resolves true once the server answers. */
  ready: () => Promise<boolean>;
  readyTimeoutMs: number;
  /** Runs after the process has exited (temporary folders…). */
  cleanup?: () => Promise<void>;
}

/** Spawns a server and waits (bounded) until `ready`; stops it again and throws when it does not come up. */
export async function startServerProcess(opts: StartOptions): Promise<ServerProcess> {
  const child = spawn(opts.bin, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => { spawnError = err; });
  const server: ServerProcess = {
    child,
    output: () => output,
    stop: async () => {
      await stopChild(child, exited);
      await opts.cleanup?.();
    },
  };
  const deadline = Date.now() + opts.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
    if (await opts.ready()) return server;
    await sleep(POLL_MS);
  }
  await server.stop();
  throw new Error(`${opts.name} did not become ready within ${opts.readyTimeoutMs} ms: ${spawnError?.message ?? output.trim()}`);
}

/** Retries a start a few times: a port found free may be taken by someone else before the server binds it. */
export async function withPortRetries<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await start();
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

let aptQueue: Promise<unknown> = Promise.resolve();
let aptUpdated = false;

/**
 * The path of `bin`, installing Debian `pkg` with apt-get first when it is missing. Installs run one at a
 * time (dpkg takes a lock), with a single `apt-get update` per process.
 */
export async function ensureDebianCommand(bin: string, pkg: string, extraDirs: string[] = []): Promise<string> {
  const found = await findOnPath(bin, extraDirs);
  if (found) return found;
  const run = aptQueue.then(async () => {
    const command = `${aptUpdated ? '' : 'apt-get update && '}apt-get install -y --no-install-recommends ${pkg}`;
    await withProgress(`${bin} is missing: installing the Debian package ${pkg} (apt-get install) for the tests that run a private one on a loopback port; their MECHA_TEST_* variable points them at a running server instead`, () =>
      sh(command, `installing ${pkg}`),
    );
    aptUpdated = true;
  });
  aptQueue = run.catch(() => undefined);
  await run;
  const installed = await findOnPath(bin, extraDirs);
  if (!installed) throw new Error(`installing ${pkg} did not provide ${bin}`);
  return installed;
}

const PROGRESS_EVERY_MS = 15_000;

/**
 * Runs a slow one-time setup step (a package install, a download) saying what it does and why before it
 * starts, that it is still running every 15 s, and how long it took.
 */
export async function withProgress<T>(what: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  process.stderr.write(`test setup: ${what}\n`);
  const timer = setInterval(() => process.stderr.write(`test setup: … still working (${seconds()} s)\n`), PROGRESS_EVERY_MS);
  try {
    const result = await step();
    process.stderr.write(`test setup: done in ${seconds()} s\n`);
    return result;
  } finally {
    clearInterval(timer);
  }
}

function sh(command: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
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
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

export async function findOnPath(name: string, extraDirs: string[] = []): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin', ...extraDirs].filter(Boolean);
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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Distinct free loopback ports, all held open together so the same one is never returned twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer().once('error', reject);
      s.listen(0, LOOPBACK, () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Parses an env-provided `host:port`, refusing anything but loopback. */
export function parseLoopback(variable: string, text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text.trim());
  const host = m?.[1];
  if (!m || !host || !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`${variable} must be a loopback host:port, got ${JSON.stringify(text)}`);
  }
  return { host, port: Number(m[2]) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
