import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MECHA_BIN, mechaNodeFlags } from '../../test/support/mecha-process.js';
import { freePort, freePorts } from '../../test/support/server-process.js';

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
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
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

/** Spawns `bin args` (which listen on `http`) and polls GET /v1.0/healthz until the first 204, bounded. */
export async function spawnUntilHealthy(bin: string, args: string[], http: number, grpc: number, home: string, what: string, env: NodeJS.ProcessEnv = {}): Promise<Sidecar> {
  const started = performance.now();
  const child = spawn(bin, args, { cwd: home, env: { ...process.env, ...env, HOME: home }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${http}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} before it was ready`);
    if (await fetch(`${url}/v1.0/healthz`).then((r) => r.status === 204, () => false)) {
      return { pid: child.pid!, url, grpcPort: grpc, readyMs: performance.now() - started, stop: stopper(child) };
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await stopper(child)();
  throw new Error(`${what} did not answer /v1.0/healthz within ${READY_TIMEOUT_MS} ms`);
}

/** `mecha run` from the bundle, on free ports, with `home` as HOME (its own name registry) and working dir. */
export async function startSidecar(args: string[], home: string): Promise<Sidecar> {
  const [http, grpc, metrics] = await freePorts(3);
  // Metrics stay on, as by default, on a port of their own so runs side by side never share one.
  const argv = [...mechaNodeFlags(), MECHA_BIN, 'run', '--dapr-http-port', String(http), '--dapr-grpc-port', String(grpc), '--metrics-port', String(metrics), '--metrics-listen-address', '127.0.0.1', '--log-level', 'warn', ...args];
  return spawnUntilHealthy(process.execPath, argv, http!, grpc!, home, 'mecha');
}

/** A bare Node HTTP server answering the same health check: the floor any Node sidecar starts from. */
export async function startBareNode(home: string): Promise<Sidecar> {
  const http = await freePort();
  return spawnUntilHealthy(process.execPath, [join(APPS, 'bare-healthz.mjs'), String(http)], http, 0, home, 'bare-healthz.mjs');
}

export const privateHome = () => mkdtempSync(join(tmpdir(), 'mecha-bench-'));

// Clock ticks per second of /proc/<pid>/stat's CPU times (CLK_TCK; 100 on practically every Linux).
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

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

export interface Watched {
  role: string;
  pid: number;
}

const RSS_SAMPLE_MS = 250;

/** Samples the processes' CPU and RSS from now until `stop`: each one's, and all of them summed. */
export function sampleUsage(procs: Watched[]): { stop(): { total: Usage; each: Array<Usage & { role: string }> } } {
  const ticks0 = procs.map((p) => cpuTicks(p.pid));
  const t0 = performance.now();
  const samples: number[][] = [];
  const take = () => samples.push(procs.map((p) => rssMb(p.pid)));
  take();
  const timer = setInterval(take, RSS_SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      take();
      const wallS = (performance.now() - t0) / 1000;
      const ticks = procs.map((p, i) => cpuTicks(p.pid) - ticks0[i]!);
      const usage = (used: number, series: number[]): Usage => {
        const steady = series.slice(Math.floor(series.length / 2)).sort((a, b) => a - b);
        return {
          mCpu: Math.round((used / TICKS_PER_SECOND / wallS) * 1000),
          rssPeakMb: round1(Math.max(0, ...series)),
          rssSteadyMb: round1(steady[Math.floor(steady.length / 2)] ?? 0),
        };
      };
      const each = procs.map((p, i) => ({ role: p.role, ...usage(ticks[i]!, samples.map((s) => s[i]!)) }));
      const total = usage(ticks.reduce((a, b) => a + b, 0), samples.map((s) => s.reduce((a, b) => a + b, 0)));
      return { total, each };
    },
  };
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
export { freePort, freePorts };
