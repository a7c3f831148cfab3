import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MECHA_BIN } from '../../test/support/mecha-process.js';
import { freePort } from '../../test/support/server-process.js';

const APPS = fileURLToPath(new URL('../../bench/apps/', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

export interface Proc {
  pid: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** One of bench/apps/*.mjs as a child process; resolves once it says it listens. */
export async function startApp(script: string, args: string[]): Promise<Proc> {
  const child = fork(join(APPS, script), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), READY_TIMEOUT_MS);
    child.once('message', () => (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${script} exited with ${code}`))));
  });
  return { pid: child.pid!, stop: stopper(child) };
}

export interface Sidecar extends Proc {
  url: string;
  grpcPort: number;
  /** Milliseconds from spawn to the first 204 from /v1.0/healthz. */
  readyMs: number;
}

/** `mecha run` from the bundle, on free ports, with a private HOME (its own name registry) per group. */
export async function startSidecar(args: string[], home: string): Promise<Sidecar> {
  const [http, grpc] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(process.execPath, [MECHA_BIN, 'run', '--dapr-http-port', String(http), '--dapr-grpc-port', String(grpc), '--log-level', 'warn', ...args], {
    cwd: home,
    env: { ...process.env, HOME: home },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${http}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mecha exited with ${child.exitCode} before it was ready`);
    if (await fetch(`${url}/v1.0/healthz`).then((r) => r.status === 204, () => false)) {
      return { pid: child.pid!, url, grpcPort: grpc, readyMs: performance.now() - started, stop: stopper(child) };
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await stopper(child)();
  throw new Error('mecha did not become ready');
}

export const privateHome = () => mkdtempSync(join(tmpdir(), 'mecha-bench-'));

const TICKS_PER_SECOND = 100; // CLK_TCK on Linux

export function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

export interface Usage {
  /** CPU time over wall time, in thousandths of a core. */
  mCpu: number;
  rssPeakMb: number;
  /** Median of the samples of the second half of the window. */
  rssSteadyMb: number;
}

/** Samples the processes' CPU and RSS (summed) from now until `stop`. */
export function sampleUsage(pids: number[]): { stop(): Usage } {
  const ticks0 = pids.reduce((s, p) => s + cpuTicks(p), 0);
  const t0 = performance.now();
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(pids.reduce((s, p) => s + rssMb(p), 0)), 250);
  return {
    stop() {
      clearInterval(timer);
      const wallS = (performance.now() - t0) / 1000;
      const cpuS = (pids.reduce((s, p) => s + cpuTicks(p), 0) - ticks0) / TICKS_PER_SECOND;
      const steady = samples.slice(Math.floor(samples.length / 2)).sort((a, b) => a - b);
      return {
        mCpu: Math.round((cpuS / wallS) * 1000),
        rssPeakMb: round1(Math.max(0, ...samples)),
        rssSteadyMb: round1(steady[Math.floor(steady.length / 2)] ?? 0),
      };
    },
  };
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
export { freePort };
