import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOnPath, sleep } from './server-process.js';

/**
 * The official Dapr SDKs' toolchains for the SDK end-to-end tests: each is set up once in `.cache/sdk`
 * (ignored by git) and reused by later runs. A missing toolchain or registry gives a reason to skip.
 * Setup runs under a lock folder, so test files in parallel workers never install into the same place.
 */

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const SDK_CACHE = join(REPO, '.cache', 'sdk');
const LOCK_WAIT_MS = 10 * 60_000;
const LOCK_STALE_MS = 15 * 60_000;
const INSTALL_TIMEOUT_MS = 8 * 60_000;

export type Toolchain<T> = { ready: T } | { skip: string };

/** Prints progress where vitest shows it (the worker's stderr). */
export function progress(sdk: string, message: string): void {
  process.stderr.write(`[sdk-${sdk}] ${message}\n`);
}

/** Runs `fn` holding `.cache/sdk/<name>.lock`; a lock older than LOCK_STALE_MS is a crashed run's and is taken over. */
export async function withCacheLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(SDK_CACHE, { recursive: true });
  const lock = join(SDK_CACHE, `${name}.lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS / 1000} s for ${lock}`);
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Sets up `dir` once: `install` runs only while `dir/.ready` does not hold `stamp` (what was installed),
 * under the lock, and an install that fails leaves nothing marked ready.
 */
export async function cachedSetup(sdk: string, dir: string, stamp: string, install: () => Promise<void>): Promise<void> {
  const marker = join(dir, '.ready');
  const isReady = () => existsSync(marker) && readFileSync(marker, 'utf8') === stamp;
  if (isReady()) return;
  await withCacheLock(sdk, async () => {
    if (isReady()) return;
    const started = Date.now();
    progress(sdk, `setting up ${stamp} in ${dir} (once; later runs reuse it)`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dirname(marker), { recursive: true });
    await install();
    writeFileSync(marker, stamp);
    progress(sdk, `ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}

/** Runs a command to completion; rejects with its last output when it fails or takes too long. */
export function run(bin: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? INSTALL_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-8000)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${bin} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${(stderr || stdout).trim().slice(-4000)}`));
    });
  });
}

/** The command on PATH, or a reason to skip naming what is missing. */
export async function requireCommand(bin: string, purpose: string): Promise<Toolchain<string>> {
  const found = await findOnPath(bin);
  return found ? { ready: found } : { skip: `${bin} is not installed; it is needed for ${purpose}` };
}

/** Settles a setup into a Toolchain: a failure (registry unreachable, …) becomes the reason to skip. */
export async function settle<T>(sdk: string, setup: () => Promise<T>): Promise<Toolchain<T>> {
  try {
    return { ready: await setup() };
  } catch (err) {
    const reason = `setting up the ${sdk} SDK failed: ${(err as Error).message}`;
    progress(sdk, reason);
    return { skip: reason };
  }
}

/** Runs an SDK driver and parses its report: the last line of its output (SDKs print banners before it). */
export async function runReport(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const lines = (await run(bin, args, { env, timeoutMs: 60_000 })).trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}
