import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { WorkflowRuntime } from '../../../src/workflows/engine/workflow-runtime.js';
import { InstanceRepo } from '../../../src/workflows/store/instance-repo.js';
import type { KvStore } from '../../../src/workflows/store/kv-store.js';
import type { WorkflowInstanceStatus } from '../../../src/workflows/engine.js';
import { freePort } from '../../support/mecha-process.js';

const WORK_APP = fileURLToPath(new URL('./work-app.mjs', import.meta.url));

/** The work app on a free port, started by the test (not by a sidecar) so it outlives killed sidecars. */
export async function startWorkApp(): Promise<{ port: number; proc: ChildProcess; stats(): Promise<{ maxConcurrent: Record<string, number>; calls: Record<string, number>; events: Array<Record<string, unknown>> }>; gate(to: 'open' | 'close'): Promise<void>; stop(): void }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [WORK_APP], { env: { ...process.env, APP_PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('work app did not start')), 10_000);
    proc.stdout!.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    port,
    proc,
    stats: async () => (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as { maxConcurrent: Record<string, number>; calls: Record<string, number>; events: Array<Record<string, unknown>> },
    gate: async (to: 'open' | 'close') => void (await fetch(`http://127.0.0.1:${port}/gate/${to}`, { method: 'POST' })),
    stop: () => proc.kill('SIGKILL'),
  };
}

/** A runtime that only writes and reads (start, status, history): the spawned sidecars run the instances. */
export function clientRuntime(kv: KvStore): WorkflowRuntime {
  return new WorkflowRuntime(new InstanceRepo(kv), {
    replicaId: 'test-client',
    runner: false,
    leaseMs: 5_000,
    scanMs: 1_000,
    runTask: () => Promise.reject(new Error('a client runtime runs no tasks')),
    logger: pino({ level: 'silent' }),
  });
}

/** Polls (bounded) until `test` passes; returns its last value. */
export async function waitFor<T>(what: string, read: () => Promise<T>, test: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (test(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: not reached in ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const finished = (s: WorkflowInstanceStatus | undefined) => !!s && ['COMPLETED', 'FAILED', 'TERMINATED'].includes(s.runtimeStatus);
