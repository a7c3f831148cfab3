import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readWorkflows } from '../../src/workflows/workflow-resources.js';
import { StateKv } from '../../src/workflows/store/state-kv.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { componentDoc, startCores, workflowDoc } from './support/engine-harness.js';
import { clientRuntime, finished, startWorkApp, waitFor } from './support/sidecars.js';

/** Six sequential calls per instance with a gated one in the middle: two replicas must never make two of them at once. */
const definition = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Parameters: { i: 0 }, Next: 'Work' },
    Work: { Type: 'Task', Resource: 'invoke:REPLACE/work/100', ResultPath: null, Next: 'Inc' },
    Inc: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'More' },
    More: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.i', NumericEquals: 3, Next: 'Gate' },
        { Variable: '$.i', NumericLessThan: 6, Next: 'Work' },
      ],
      Default: 'Done',
    },
    Gate: { Type: 'Task', Resource: 'invoke:REPLACE/gated', ResultPath: null, Next: 'Work' },
    Done: { Type: 'Succeed' },
  },
};

const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function twoReplicas(store: string, type: string, metadata: Record<string, string>) {
  const appId = `replicas-${store}-${process.pid}`;
  const def = JSON.parse(JSON.stringify(definition).replaceAll('REPLACE', appId)) as unknown;
  const wf = `apiVersion: mecha.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: steps\nspec:\n  stateStore: shared\n  definition: ${JSON.stringify(def)}\n`;
  const resources = resourcesDir({ 'shared.yaml': component('shared', type, metadata), 'wf.yaml': wf });
  const app = await startWorkApp();
  cleanup.push(() => app.stop(), () => rmSync(resources, { recursive: true, force: true }));
  const replica = async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mecha-wf-replica-'));
    const m = await startMecha(['--app-id', appId, '--app-port', String(app.port), '--resources-path', resources], {
      cwd,
      env: { MECHA_WORKFLOW_SCAN_SECONDS: '0.2', MECHA_WORKFLOW_LEASE_SECONDS: '2' },
    });
    cleanup.push(() => m.stop('SIGKILL'), () => rmSync(cwd, { recursive: true, force: true }));
    return m;
  };
  const cores = await startCores(appId, [componentDoc('shared', type, metadata)]);
  const client = clientRuntime(new StateKv(cores.state, 'shared'));
  cleanup.push(() => cores.host.close());
  const { workflows } = readWorkflows([workflowDoc('steps', def, { stateStore: 'shared' }), componentDoc('shared', type, metadata)], appId);
  return { app, replica, client, steps: workflows[0] };
}

async function takeOver(store: string, type: string, metadata: Record<string, string>): Promise<void> {
  const { app, replica, client, steps } = await twoReplicas(store, type, metadata);
  await app.gate('close');
  const first: MechaProcess = await replica();
  const ids = [1, 2, 3, 4].map((n) => `${store}-${process.pid}-${n}`);
  for (const id of ids) await client.startInstance(steps, {}, id);
  // Every instance has a call in flight on the first replica (held at the gate) when it dies.
  await waitFor('every instance waits at the gate', () => app.stats(), (s) => ids.every((id) => s.calls[`${id}/Gate/1`] === 1), 30_000);
  await replica();
  await first.stop('SIGKILL');
  await app.gate('open');
  for (const id of ids) await waitFor(`${id} finishes`, () => client.status(id), finished, 30_000);
  const stats = await app.stats();
  for (const id of ids) {
    expect(await client.status(id)).toMatchObject({ runtimeStatus: 'COMPLETED', output: JSON.stringify({ i: 6 }) });
    // Never two calls of one instance at once, across both replicas.
    expect(stats.maxConcurrent[id]).toBe(1);
    const keys = Object.keys(stats.calls).filter((k) => k.startsWith(`${id}/`));
    expect(keys.sort()).toEqual(['Work', 'Work#2', 'Work#3', 'Gate', 'Work#4', 'Work#5', 'Work#6'].map((k) => `${id}/${k}/1`).sort());
    // The call in flight at the kill was made again by the replica that took the instance over, with the same key.
    expect(stats.calls[`${id}/Gate/1`]).toBe(2);
  }
}

describe('workflow engine: two replicas sharing a store', { timeout: 90_000 }, () => {
  it('Redis: a killed replica\'s instances are taken over, none runs twice at once', async () => {
    await takeOver('redis', 'state.redis', { redisHost: inject('redisAddress') });
  });

  it('PostgreSQL: a killed replica\'s instances are taken over, none runs twice at once', async () => {
    await takeOver('pg', 'state.postgresql', { connectionString: inject('postgresUrl'), tableName: `wf_${process.pid}` });
  });
});
