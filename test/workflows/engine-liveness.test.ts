import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowRuntime } from '../../src/workflows/engine/workflow-runtime.js';
import type { KvEntry, KvStore } from '../../src/workflows/store/kv-store.js';
import { InstanceRepo } from '../../src/workflows/store/instance-repo.js';
import { SqliteKv } from '../../src/workflows/store/sqlite-kv.js';
import type { TaskRunner } from '../../src/workflows/tasks/task-runner.js';
import { readWorkflows } from '../../src/workflows/workflow-resources.js';
import { workflowDoc } from './support/engine-harness.js';

/** A store whose every call takes a little while (a seeded sequence of delays), as a loaded store does. */
class SlowKv implements KvStore {
  #seed: number;
  constructor(
    private readonly inner: KvStore,
    seed: number,
    private readonly maxDelayMs: number,
  ) {
    this.#seed = seed;
  }

  async #pause(): Promise<void> {
    this.#seed = (this.#seed * 1103515245 + 12345) % 2 ** 31;
    await new Promise((r) => setTimeout(r, this.#seed % (this.maxDelayMs + 1)));
  }

  async get<T>(key: string): Promise<KvEntry<T> | undefined> {
    await this.#pause();
    return this.inner.get<T>(key);
  }

  async set(key: string, value: unknown, etag?: string): Promise<void> {
    const text = JSON.stringify(value); // taken when called, as the real stores do
    await this.#pause();
    return this.inner.set(key, JSON.parse(text), etag);
  }

  async create(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    await this.#pause();
    return this.inner.create(key, JSON.parse(text));
  }

  async delete(key: string, etag?: string): Promise<void> {
    await this.#pause();
    return this.inner.delete(key, etag);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const dirs: string[] = [];
const runtimes: WorkflowRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A runtime on a slow store with a lease far shorter than a round of renewals takes. */
function slowRuntime(seed: number, runTask: TaskRunner = () => Promise.resolve({ ok: true })): WorkflowRuntime {
  const dir = mkdtempSync(join(tmpdir(), 'mecha-wf-live-'));
  dirs.push(dir);
  const runtime = new WorkflowRuntime(new InstanceRepo(new SlowKv(new SqliteKv(join(dir, 'workflows.db')), seed, 4)), {
    replicaId: 'only-replica',
    runner: true,
    leaseMs: 400,
    scanMs: 150,
    runTask,
    logger: pino({ level: 'silent' }),
  });
  runtimes.push(runtime);
  runtime.start();
  return runtime;
}

const define = (name: string, definition: unknown) => readWorkflows([workflowDoc(name, definition)], 'wfapp').workflows[0];

/** Polls (bounded) until every instance finished; returns the ids of those that did not, with their status. */
async function unfinished(runtime: WorkflowRuntime, ids: string[], timeoutMs: number): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  let left = ids;
  while (left.length > 0 && Date.now() < end) {
    const statuses = await Promise.all(left.map(async (id) => [id, (await runtime.status(id))?.runtimeStatus] as const));
    left = statuses.filter(([, s]) => s !== 'COMPLETED').map(([id]) => id);
    if (left.length > 0) await new Promise((r) => setTimeout(r, 100));
  }
  return Promise.all(left.map(async (id) => `${id}: ${(await runtime.status(id))?.runtimeStatus}`));
}

describe('workflow engine: liveness on a slow store with short leases', { timeout: 90_000 }, () => {
  it('finishes every instance whose event is raised while it enters the state that waits for it', async () => {
    const runtime = slowRuntime(7);
    const def = define('parked', { StartAt: 'Park', States: { Park: { Type: 'Task', Resource: 'event:go', Next: 'Done' }, Done: { Type: 'Pass', End: true } } });
    const ids = Array.from({ length: 150 }, (_, i) => `parked-${i}`);
    await Promise.all(
      ids.map(async (id, i) => {
        await runtime.startInstance(def, {}, id);
        // Staggered: some land while the instance commits its first state, some once it waits, parked.
        await new Promise((r) => setTimeout(r, i % 40));
        await runtime.operate(id, { op: 'raise', name: 'go', data: {} });
      }),
    );
    expect(await unfinished(runtime, ids, 30_000)).toEqual([]);
  });

  it('finishes every instance of a chain of Tasks when leases run short of renewals', async () => {
    let calls = 0;
    const runtime = slowRuntime(11, async () => {
      calls++;
      await new Promise((r) => setTimeout(r, calls % 7));
      return { ok: true };
    });
    const step = (next: string) => ({ Type: 'Task', Resource: 'invoke:wfapp/step', ResultPath: '$.last', Next: next });
    const def = define('chain', { StartAt: 'S0', States: { S0: step('S1'), S1: step('S2'), S2: step('S3'), S3: step('S4'), S4: { Type: 'Pass', End: true } } });
    const ids = Array.from({ length: 120 }, (_, i) => `chain-${i}`);
    await Promise.all(ids.map((id) => runtime.startInstance(def, {}, id)));
    expect(await unfinished(runtime, ids, 45_000)).toEqual([]);
  });
});
