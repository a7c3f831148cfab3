import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';
import { Sidecar } from '../../src/sidecar.js';
import type { WorkflowRuntime } from '../../src/workflows/engine/workflow-runtime.js';
import { SqliteKv } from '../../src/workflows/store/sqlite-kv.js';
import { readWorkflows, type WorkflowDefinition } from '../../src/workflows/workflow-resources.js';
import { component, resourcesDir } from '../support/resources.js';
import { workflowDoc } from './support/engine-harness.js';
import { clientRuntime, finished, startWorkApp, waitFor } from './support/sidecars.js';

const APP_ID = 'wftasks';
const definition = {
  StartAt: 'Call',
  States: {
    Call: { Type: 'Task', Resource: `invoke:${APP_ID}/work/0`, Parameters: { 'order.$': '$.order' }, ResultPath: '$.called', Next: 'Refused' },
    Refused: {
      Type: 'Task',
      Resource: `invoke:${APP_ID}/status/503`,
      Retry: [{ ErrorEquals: ['Mecha.InvokeFailed'], IntervalSeconds: 1, MaxAttempts: 1 }],
      Catch: [{ ErrorEquals: ['Mecha.InvokeFailed'], ResultPath: '$.refused', Next: 'Publish' }],
      End: true,
    },
    Publish: { Type: 'Task', Resource: 'publish:bus/orders', Parameters: { 'order.$': '$.order' }, ResultPath: null, Next: 'Save' },
    Save: { Type: 'Task', Resource: 'binding:files/create', Parameters: { data: { saved: true }, metadata: { fileName: 'order.json' } }, ResultPath: '$.file', Next: 'Store' },
    Store: { Type: 'Task', Resource: 'state:kv/save', Parameters: { key: 'last', 'value.$': '$.order' }, ResultPath: null, End: true },
  },
};

const slow = {
  StartAt: 'Slow',
  States: {
    Slow: {
      Type: 'Task',
      Resource: `invoke:${APP_ID}/work/6000`,
      TimeoutSeconds: 1,
      Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 1 }],
      Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Late' }],
      End: true,
    },
    Late: { Type: 'Pass', Result: 'gave up', End: true },
  },
};

const dir = resourcesDir({
  'components.yaml': [component('bus', 'pubsub.in-memory'), component('kv', 'state.in-memory')].join('---\n'),
  'subscription.yaml': 'apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: orders\nspec:\n  pubsubname: bus\n  topic: orders\n  routes:\n    default: /events\n',
  'workflow.yaml': `apiVersion: mecha.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: tasks\nspec:\n  definition: ${JSON.stringify(definition)}\n`,
  'slow.yaml': `apiVersion: mecha.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: slow\nspec:\n  definition: ${JSON.stringify(slow)}\n`,
});
const files = join(dir, 'files');
mkdirSync(files);
writeFileSync(join(dir, 'binding.yaml'), component('files', 'bindings.localstorage', { rootPath: files }));

let sidecar: Sidecar;
let app: Awaited<ReturnType<typeof startWorkApp>>;
let client: WorkflowRuntime;
let tasks: WorkflowDefinition;

beforeAll(async () => {
  process.env.MECHA_WORKFLOW_SCAN_SECONDS = '0.2';
  app = await startWorkApp();
  const args = ['--app-id', APP_ID, '--app-port', String(app.port), '--resources-path', dir, '--dapr-grpc-port', '0', '--metrics-port', '0', '--enable-metrics=false'];
  const { options } = parseRunArgs(args, process.env, dir);
  sidecar = await Sidecar.start({ ...options, httpPort: 0 }, pino({ level: 'silent' }), () => undefined);
  client = clientRuntime(new SqliteKv(join(dir, '.mecha', 'workflows', 'workflows.db')));
  tasks = readWorkflows([workflowDoc('tasks', definition)], APP_ID).workflows[0];
});
afterAll(async () => {
  await client?.close();
  await sidecar?.stop();
  app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('workflow tasks against the building blocks of a running sidecar', () => {
  it('lists the declared workflows in the metadata API', async () => {
    const md = (await (await fetch(`http://127.0.0.1:${sidecar.httpPort}/v1.0/metadata`)).json()) as { extended: Record<string, string> };
    expect(JSON.parse(md.extended.workflows)).toEqual([
      { name: 'slow', stateStore: '', states: 2, definitionHash: expect.any(String) },
      { name: 'tasks', stateStore: '', states: 5, definitionHash: tasks.hash },
    ]);
  });

  it('invokes the app, retries a refusal, publishes, calls a binding and saves state, each call with its idempotency key', async () => {
    const id = `tasks-${process.pid}`;
    await client.startInstance(tasks, { order: 42 }, id);
    const s = await waitFor('the instance finishes', () => client.status(id), finished);
    expect(s).toMatchObject({ runtimeStatus: 'COMPLETED' });
    const out = JSON.parse(s!.output!) as Record<string, { key?: string; Error?: string; Cause?: string }>;
    // The app saw the key as the mecha-idempotency-key header and answered with it.
    expect(out.called).toEqual({ key: `${id}/Call/1`, input: { order: 42 } });
    expect(out.refused).toMatchObject({ Error: 'Mecha.InvokeFailed', Cause: expect.stringContaining('503') });
    expect(out.file).toEqual({ fileName: 'order.json' });
    expect(JSON.parse(readFileSync(join(files, 'order.json'), 'utf8'))).toEqual({ saved: true });

    const stats = await waitFor('the event is delivered', () => app.stats(), (st) => st.events.length > 0);
    expect(stats.calls[`${id}/Refused/1`]).toBe(1);
    expect(stats.calls[`${id}/Refused/2`]).toBe(1);
    expect(stats.events[0]).toMatchObject({ id: `${id}/Publish/1`, idempotencykey: `${id}/Publish/1`, source: APP_ID, data: { order: 42 } });
    const saved = await fetch(`http://127.0.0.1:${sidecar.httpPort}/v1.0/state/kv/last`);
    expect(await saved.json()).toBe(42);
    expect(existsSync(join(dir, '.mecha', 'workflows', 'replica-id'))).toBe(true);
  });

  it('times a slow call out (States.Timeout), retries it once with the next key, then catches the timeout', async () => {
    const id = `slow-${process.pid}`;
    await client.startInstance(readWorkflows([workflowDoc('slow', slow)], APP_ID).workflows[0], {}, id);
    const s = await waitFor('the instance finishes', () => client.status(id), finished);
    expect(s).toMatchObject({ runtimeStatus: 'COMPLETED', output: '"gave up"' });
    const stats = await app.stats();
    expect(Object.entries(stats.calls).filter(([k]) => k.startsWith(`${id}/`))).toEqual([
      [`${id}/Slow/1`, 1],
      [`${id}/Slow/2`, 1],
    ]);
  });

  it('takes operations from another process through the inbox: suspend, resume, raise event', async () => {
    const approval = readWorkflows([workflowDoc('approval', { StartAt: 'Ask', States: { Ask: { Type: 'Task', Resource: 'event:approve', End: true } } })], APP_ID).workflows[0];
    const id = `approval-${process.pid}`;
    await client.startInstance(approval, {}, id);
    await waitFor('the sidecar waits for the event', async () => (await client.history(id)) ?? [], (h) => h.some((e) => e.type === 'TimerCreated'));
    await client.operate(id, { op: 'pause' });
    await waitFor('suspended', () => client.status(id), (s) => s?.runtimeStatus === 'SUSPENDED');
    await client.operate(id, { op: 'raise', name: 'approve', data: { ok: true } });
    await client.operate(id, { op: 'resume' });
    const s = await waitFor('the instance finishes', () => client.status(id), finished);
    expect(s).toMatchObject({ runtimeStatus: 'COMPLETED', output: '{"ok":true}' });
    const types = (await client.history(id))!.map((e) => e.type);
    expect(types.filter((t) => ['ExecutionSuspended', 'EventRaised', 'ExecutionResumed'].includes(t))).toEqual(['ExecutionSuspended', 'EventRaised', 'ExecutionResumed']);
  });

  it('hot-reloads Workflow resources: an added one is listed; a bad edit is refused and the previous version keeps running', async () => {
    const metadata = async () => JSON.parse(((await (await fetch(`http://127.0.0.1:${sidecar.httpPort}/v1.0/metadata`)).json()) as { extended: Record<string, string> }).extended.workflows) as Array<{ name: string; definitionHash: string }>;
    const extra = (result: string, next = 'End: true') => `apiVersion: mecha.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: extra\nspec:\n  definition:\n    StartAt: Say\n    States:\n      Say: { Type: Pass, Result: ${result}, ${next} }\n`;
    writeFileSync(join(dir, 'extra.yaml'), extra('one'));
    const listed = await waitFor('the new workflow is listed', metadata, (w) => w.some((x) => x.name === 'extra'));
    const hash = listed.find((x) => x.name === 'extra')!.definitionHash;
    writeFileSync(join(dir, 'extra.yaml'), extra('two', 'Next: Nowhere'));
    const reload = async () => JSON.parse(((await (await fetch(`http://127.0.0.1:${sidecar.httpPort}/v1.0/metadata`)).json()) as { extended: Record<string, string> }).extended.hotReload) as { resources: Array<{ kind: string; name: string; status: string; lastError?: string }> };
    const refused = await waitFor('the bad edit is refused', reload, (r) => r.resources.some((x) => x.kind === 'Workflow' && x.name === 'extra' && x.status === 'failed'));
    expect(refused.resources.find((x) => x.name === 'extra')!.lastError).toContain('Nowhere');
    expect((await metadata()).find((x) => x.name === 'extra')!.definitionHash).toBe(hash);
  });
});
