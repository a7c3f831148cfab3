import { component, resourcesDir } from '../../test/support/resources.js';
import { freePort, privateHome, round1, rssMb, sampleUsage, startApp, startSidecar, type Sidecar } from './processes.js';
import type { Machine } from './run-record.js';

/** Workflows: how fast the engine moves instances along, and what instances parked on an event cost. */

export interface StepFigures {
  instances: number;
  stepsPerInstance: number;
  seconds: number;
  /** State transitions (Pass) or Task calls per second, all instances together. */
  stepsPerSecond: number;
  sidecarMCpu: number;
}

export interface WorkflowResult {
  date: string;
  commit?: string;
  machine?: Machine;
  /** Instances of a chain of Pass states: the engine's own cost per persisted transition. */
  pass: StepFigures;
  /** Instances of a chain of Tasks, each calling the app through service invocation. */
  tasks: StepFigures;
  parked: {
    instances: number;
    /** Starting them all (HTTP, `concurrency` at a time), until each waits on its `event:` Task. */
    startSeconds: number;
    concurrency: number;
    /** A fresh sidecar's RSS before the first start, and its peak while starting them. */
    rssIdleMb: number;
    rssPeakMb: number;
    /** Sidecar RSS once every instance waits (median of a few samples). */
    rssParkedMb: number;
    /** Raising each one's event until all have finished (or the time allowed ran out). */
    releaseSeconds: number;
    /** Instances that had not finished when the time allowed ran out, by runtime status (none: all finished). */
    unfinished?: Record<string, number>;
  };
}

const APP_ID = 'bench-wf';
const CONCURRENCY = 32;

const chain = (name: string, n: number, state: (i: number) => object) => {
  const States: Record<string, object> = {};
  for (let i = 0; i < n; i++) States[`S${i}`] = { ...state(i), ...(i === n - 1 ? { Next: 'Done' } : { Next: `S${i + 1}` }) };
  States.Done = { Type: 'Task', Resource: `invoke:${APP_ID}/done`, End: true };
  return JSON.stringify({ apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name }, spec: { definition: { StartAt: 'S0', States } } });
};

const PASS_STATES = 50;
const TASK_STATES = 10;
const workflows = {
  'pass.yaml': chain('pass-chain', PASS_STATES, () => ({ Type: 'Pass', Result: { ok: true }, ResultPath: '$.last' })),
  'tasks.yaml': chain('task-chain', TASK_STATES, () => ({ Type: 'Task', Resource: `invoke:${APP_ID}/step`, ResultPath: '$.last' })),
  'parked.yaml': JSON.stringify({
    apiVersion: 'mecha.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: 'parked' },
    spec: { definition: { StartAt: 'Wait', States: { Wait: { Type: 'Task', Resource: 'event:go', Next: 'Done' }, Done: { Type: 'Task', Resource: `invoke:${APP_ID}/done`, End: true } } } },
  }),
};

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function post(url: string, body: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  if (res.status !== 202) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
}

/** Polls the app (bounded) until `done` instances have reached their last Task. */
async function untilDone(appUrl: string, done: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let count = { done: 0, steps: 0 };
  while (Date.now() < deadline) {
    count = (await (await fetch(`${appUrl}/count`)).json()) as typeof count;
    if (count.done >= done) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${count.done} of ${done} instances finished within ${timeoutMs / 1000} s (${count.steps} task steps)`);
}

/** Starts `instances` of `workflow` and times them until the last one finished. */
async function steps(sidecar: Sidecar, appUrl: string, workflow: string, instances: number, stepsPerInstance: number, doneBefore: number): Promise<StepFigures> {
  const sampler = sampleUsage([{ role: 'sidecar', pid: sidecar.pid }]);
  const t0 = performance.now();
  await pool([...Array(instances).keys()], CONCURRENCY, (i) => post(`${sidecar.url}/v1.0/workflows/dapr/${workflow}/start?instanceID=${workflow}-${i}`, '{}'));
  await untilDone(appUrl, doneBefore + instances, 120_000).catch(async (err: Error) => {
    throw new Error(`${err.message}; statuses: ${JSON.stringify(await statusCounts(sidecar, [...Array(instances).keys()].map((i) => `${workflow}-${i}`)))}`);
  });
  const seconds = (performance.now() - t0) / 1000;
  const { total } = sampler.stop();
  return { instances, stepsPerInstance, seconds: round1(seconds), stepsPerSecond: Math.round((instances * stepsPerInstance) / seconds), sidecarMCpu: total.mCpu };
}

/** How many of `ids` are in each runtime status (but `skip`): what a run that did not finish reports. */
async function statusCounts(sidecar: Sidecar, ids: string[], skip: string[] = []): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await pool(ids, CONCURRENCY, async (id) => {
    const res = await fetch(`${sidecar.url}/v1.0/workflows/dapr/${id}`);
    const status = res.status === 200 ? ((await res.json()) as { runtimeStatus: string }).runtimeStatus : `HTTP ${res.status}`;
    if (!skip.includes(status)) counts[status] = (counts[status] ?? 0) + 1;
  });
  return counts;
}

const settle = async (pid: number) => {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 400));
    samples.push(rssMb(pid));
  }
  return round1(samples.sort((a, b) => a - b)[2]!);
};

/** A sidecar (with the app) for `run`, stopped afterwards. */
async function withSidecar<T>(run: (sidecar: Sidecar, appUrl: string) => Promise<T>): Promise<T> {
  const appPort = await freePort();
  const app = await startApp('workflow-app.mjs', [String(appPort)]);
  try {
    const dir = resourcesDir({ ...workflows, 'state.yaml': component('statestore', 'state.in-memory') });
    const sidecar = await startSidecar(['--app-id', APP_ID, '--app-port', String(appPort), '--resources-path', dir], privateHome());
    try {
      return await run(sidecar, `http://127.0.0.1:${appPort}`);
    } finally {
      await sidecar.stop();
    }
  } finally {
    await app.stop();
  }
}

/** `count` instances parked on an event, on a fresh sidecar: what starting them and keeping them costs, then releasing them. */
async function parked(count: number): Promise<WorkflowResult['parked']> {
  return withSidecar(async (sidecar, appUrl) => {
    const rssIdleMb = await settle(sidecar.pid);
    const ids = [...Array(count).keys()].map((i) => `parked-${i}`);
    const sampler = sampleUsage([{ role: 'sidecar', pid: sidecar.pid }]);
    const t0 = performance.now();
    await pool(ids, CONCURRENCY, (id) => post(`${sidecar.url}/v1.0/workflows/dapr/parked/start?instanceID=${id}`, '{}'));
    const startSeconds = round1((performance.now() - t0) / 1000);
    const { total } = sampler.stop();
    const rssParkedMb = await settle(sidecar.pid);
    const t1 = performance.now();
    await pool(ids, CONCURRENCY, (id) => post(`${sidecar.url}/v1.0/workflows/dapr/${id}/raiseEvent/go`, '{}'));
    const finished = await untilDone(appUrl, count, 300_000).then(() => true, () => false);
    const releaseSeconds = round1((performance.now() - t1) / 1000);
    // Reported, not thrown: the figures above stand, and the report says which instances did not finish.
    const unfinished = finished ? undefined : await statusCounts(sidecar, ids, ['COMPLETED']);
    return { instances: count, startSeconds, concurrency: CONCURRENCY, rssIdleMb, rssPeakMb: total.rssPeakMb, rssParkedMb, releaseSeconds, ...(unfinished ? { unfinished } : {}) };
  });
}

/** The workflow figures; `quick` runs a tenth of the instances. */
export async function measureWorkflows(quick: boolean): Promise<WorkflowResult> {
  const date = new Date().toISOString();
  const scale = quick ? 0.1 : 1;
  const { pass, tasks } = await withSidecar(async (sidecar, appUrl) => {
    const pass = await steps(sidecar, appUrl, 'pass-chain', Math.round(200 * scale), PASS_STATES, 0);
    return { pass, tasks: await steps(sidecar, appUrl, 'task-chain', Math.round(200 * scale), TASK_STATES, pass.instances) };
  });
  return { date, pass, tasks, parked: await parked(Math.round(10_000 * scale)) };
}

const mb = (n: number) => `${n.toFixed(0)} MB`;

/** The report's Workflows section. */
export function workflowsSection(w: WorkflowResult | undefined): string {
  if (!w) return '_Not measured in this run._';
  const row = (what: string, f: StepFigures) =>
    `| ${what} | ${f.instances} × ${f.stepsPerInstance} | ${f.seconds} s | ${f.stepsPerSecond} | ${f.sidecarMCpu} mCPU |`;
  const p = w.parked;
  return [
    'Instances started over HTTP (32 at a time) on the embedded store (SQLite in the data directory); each ends with a Task',
    'calling the app, which counts them, so the time runs from the first start to the last instance done.',
    '',
    '| Workflow | Instances × steps | Time | Steps per second | Sidecar CPU |',
    '|---|---|---|---|---|',
    row('A chain of Pass states (each transition persisted)', w.pass),
    row('A chain of Tasks, each calling the app (`invoke:`)', w.tasks),
    '',
    `${p.instances.toLocaleString('en')} instances parked on an \`event:\` Task, on a fresh sidecar: started in ${p.startSeconds} s`,
    `(${Math.round(p.instances / p.startSeconds)} per second); sidecar RSS ${mb(p.rssIdleMb)} idle before, ${mb(p.rssPeakMb)} at most while starting them,`,
    `${mb(p.rssParkedMb)} with all of them waiting. Raising`,
    p.unfinished
      ? `each one's event: after ${p.releaseSeconds} s, ${Object.entries(p.unfinished).map(([status, n]) => `${n} ${status}`).join(', ')} had not finished.`
      : `each one's event until all had finished took ${p.releaseSeconds} s.`,
  ].join('\n');
}
