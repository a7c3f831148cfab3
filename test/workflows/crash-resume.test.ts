import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkflows } from '../../src/workflows/workflow-resources.js';
import { SqliteKv } from '../../src/workflows/store/sqlite-kv.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { clientRuntime, finished, startWorkApp, waitFor } from './support/sidecars.js';
import type { WorkflowRuntime } from '../../src/workflows/engine/workflow-runtime.js';

const APP_ID = 'crashapp';
const dir = mkdtempSync(join(tmpdir(), 'mecha-wf-crash-'));
const resources = join(dir, 'resources');
mkdirSync(resources);
const workflows = `apiVersion: mecha.io/v1alpha1
kind: Workflow
metadata:
  name: inflight
spec:
  definition:
    StartAt: Work
    States:
      Work: { Type: Task, Resource: "invoke:${APP_ID}/gated", End: true }
---
apiVersion: mecha.io/v1alpha1
kind: Workflow
metadata:
  name: waiting
spec:
  definition:
    StartAt: Nap
    States:
      Nap: { Type: Wait, Seconds: 4, Next: Done }
      Done: { Type: Pass, Result: woke, End: true }
---
apiVersion: mecha.io/v1alpha1
kind: Workflow
metadata:
  name: mapping
spec:
  definitionFile: mapping.json
`;
writeFileSync(join(resources, 'workflows.yaml'), workflows);
writeFileSync(
  join(resources, 'mapping.json'),
  JSON.stringify({
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        MaxConcurrency: 2,
        ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: `invoke:${APP_ID}/gated`, OutputPath: '$.input', End: true } } },
        End: true,
      },
    },
  }),
);

let app: Awaited<ReturnType<typeof startWorkApp>>;
let sidecar: MechaProcess | undefined;
let client: WorkflowRuntime;

const start = () =>
  startMecha(['--app-id', APP_ID, '--app-port', String(app.port), '--resources-path', resources], {
    cwd: dir,
    env: { MECHA_WORKFLOW_SCAN_SECONDS: '0.2', MECHA_WORKFLOW_LEASE_SECONDS: '5' },
  });

beforeAll(async () => {
  app = await startWorkApp();
  sidecar = await start();
  client = clientRuntime(new SqliteKv(join(dir, '.mecha', 'workflows', 'workflows.db')));
});
afterAll(async () => {
  await sidecar?.stop('SIGKILL');
  await client?.close();
  app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('workflow engine: kill -9 of the sidecar and restart', { timeout: 90_000 }, () => {
  it('resumes a task in flight (same idempotency key), a Wait and a Map part-way through', async () => {
    const { definitions } = await loadDefinitions();
    const inflight = `inflight-${process.pid}`;
    const waiting = `waiting-${process.pid}`;
    const mapping = `mapping-${process.pid}`;
    // Calls wait at the app's gate: the sidecar dies with them in flight.
    await app.gate('close');
    await client.startInstance(definitions.inflight, { n: 1 }, inflight);
    await client.startInstance(definitions.waiting, {}, waiting);
    await client.startInstance(definitions.mapping, [1, 2, 3, 4, 5, 6], mapping);

    await waitFor('the task call reached the app', () => app.stats(), (s) => s.calls[`${inflight}/Work/1`] === 1);
    await waitFor('the timer is set', async () => (await client.history(waiting)) ?? [], (h) => h.some((e) => e.type === 'TimerCreated'));
    await waitFor('the Map is part-way', () => app.stats(), (s) => Object.keys(s.calls).filter((k) => k.startsWith(`${mapping}/`)).length === 2);

    await sidecar!.stop('SIGKILL');
    sidecar = await start();
    await app.gate('open');

    for (const id of [inflight, waiting, mapping]) await waitFor(`${id} finishes`, () => client.status(id), finished);
    const [a, b, c] = await Promise.all([client.status(inflight), client.status(waiting), client.status(mapping)]);
    expect(a).toMatchObject({ runtimeStatus: 'COMPLETED' });
    expect(JSON.parse(a!.output!)).toEqual({ key: `${inflight}/Work/1`, input: { n: 1 } });
    expect(b).toMatchObject({ runtimeStatus: 'COMPLETED', output: '"woke"' });
    expect(c).toMatchObject({ runtimeStatus: 'COMPLETED' });
    expect(JSON.parse(c!.output!)).toEqual([1, 2, 3, 4, 5, 6]);

    const stats = await app.stats();
    // At least once: the call in flight at the crash ran again, with the same key.
    expect(stats.calls[`${inflight}/Work/1`]).toBe(2);
    // The iterations in flight at the crash (MaxConcurrency of them) ran twice, the others once.
    const mapCalls = Object.fromEntries(Object.entries(stats.calls).filter(([k]) => k.startsWith(`${mapping}/`)));
    expect(mapCalls).toEqual(Object.fromEntries([2, 2, 1, 1, 1, 1].map((n, i) => [`${mapping}/Each[${i}]/Work/1`, n])));
    const waitHistory = (await client.history(waiting))!.map((e) => e.type);
    expect(waitHistory.filter((t) => t === 'TimerCreated')).toHaveLength(1);
    expect(waitHistory.filter((t) => t === 'TimerFired')).toHaveLength(1);
  });
});

async function loadDefinitions() {
  const { parseAllDocuments } = await import('yaml');
  const { readFileSync } = await import('node:fs');
  const file = join(resources, 'workflows.yaml');
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d, i) => ({ file, index: i + 1, content: d.toJS() as Record<string, unknown> }));
  const { workflows, problems } = readWorkflows(docs, APP_ID);
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return { definitions: Object.fromEntries(workflows.map((w) => [w.name, w])) };
}
