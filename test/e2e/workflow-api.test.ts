import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { resourcesDir } from '../support/resources.js';
import { workflowClient, workflowDoc } from '../support/workflows.js';

// The workflow management API (HTTP and gRPC) on a sidecar with declared workflows: daprd 1.17's
// validation order, messages and codes (pkg/api/universal/workflow.go, pkg/messages/predefined.go),
// its status shape, and the operations on real instances.
const approval = workflowDoc('approval', {
  StartAt: 'Approve',
  States: {
    Approve: { Type: 'Task', Resource: 'event:approved', ResultPath: '$.decision', Next: 'Done' },
    Done: { Type: 'Pass', End: true },
  },
});
const failing = workflowDoc('failing', { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Order.Invalid', Cause: 'no items' } } });

let mecha: MechaProcess;
let wf: ReturnType<typeof workflowClient>;
let grpc: ReturnType<typeof daprClient>;

beforeAll(async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mecha-wf-api-'));
  mecha = await startMecha(['--app-id', 'orders', '--resources-path', resourcesDir({ 'approval.yaml': approval, 'failing.yaml': failing })], { cwd });
  wf = workflowClient(mecha.url);
  grpc = daprClient(mecha.grpcPort);
});
afterAll(async () => {
  grpc?.close();
  await mecha?.stop();
});

const errorOf = async (res: Response) => ({ status: res.status, body: (await res.json()) as { errorCode: string; message: string } });
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

describe('validation and errors, as daprd answers them', () => {
  it('refuses a component other than dapr', async () => {
    expect(await errorOf(await fetch(`${mecha.url}/v1.0/workflows/temporal/approval/start`, { method: 'POST' }))).toEqual({
      status: 400,
      body: { errorCode: 'ERR_WORKFLOW_COMPONENT_NOT_FOUND', message: "workflow component 'temporal' does not exist" },
    });
  });

  it('checks a new instance id: at most 64 bytes, then letters, digits, _ and -', async () => {
    expect(await errorOf(await wf.post(`approval/start?instanceID=${'a'.repeat(65)}`))).toEqual({
      status: 400,
      body: { errorCode: 'ERR_INSTANCE_ID_TOO_LONG', message: 'workflow instance ID exceeds the max length of 64 characters' },
    });
    // Go's len counts bytes: 33 two-byte letters are too long, 32 are not.
    expect((await errorOf(await wf.post(`approval/start?instanceID=${encodeURIComponent('é'.repeat(33))}`))).body.errorCode).toBe('ERR_INSTANCE_ID_TOO_LONG');
    expect((await wf.post(`approval/start?instanceID=${encodeURIComponent('é'.repeat(32))}`)).status).toBe(202);
    expect(await errorOf(await wf.post('approval/start?instanceID=a.b'))).toEqual({
      status: 400,
      body: { errorCode: 'ERR_INSTANCE_ID_INVALID', message: "workflow instance ID 'a.b' is invalid: only alphanumeric and underscore characters are allowed" },
    });
  });

  it('answers ERR_START_WORKFLOW for an undeclared workflow, a taken id, and (400) an input that is not JSON', async () => {
    expect(await errorOf(await wf.post('nowf/start'))).toEqual({
      status: 500,
      body: { errorCode: 'ERR_START_WORKFLOW', message: "error starting workflow 'nowf': no workflow named 'nowf' is declared for this app" },
    });
    await wf.start('approval', {}, 'taken-1');
    const taken = await errorOf(await wf.post('approval/start?instanceID=taken-1', {}));
    expect([taken.status, taken.body.errorCode]).toEqual([500, 'ERR_START_WORKFLOW']);
    const notJson = await errorOf(await fetch(`${mecha.url}/v1.0/workflows/dapr/approval/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' }));
    expect([notJson.status, notJson.body.errorCode]).toEqual([400, 'ERR_START_WORKFLOW']);
    expect(notJson.body.message).toMatch(/^error starting workflow 'approval': the input is not JSON: /);
  });

  it('maps an unknown instance as daprd does: 404 on get, history, terminate and purge; the operation code otherwise', async () => {
    const notFound = { status: 404, body: { errorCode: 'ERR_INSTANCE_ID_NOT_FOUND', message: 'unable to find workflow with the provided instance ID: nobody' } };
    expect(await errorOf(await wf.get('nobody'))).toEqual(notFound);
    expect(await errorOf(await fetch(`${mecha.url}/v1.0/workflows/dapr/nobody/history`))).toEqual(notFound);
    for (const op of ['terminate', 'purge']) expect(await errorOf(await wf.post(`nobody/${op}`)), op).toEqual(notFound);
    for (const [op, code] of [['pause', 'ERR_PAUSE_WORKFLOW'], ['resume', 'ERR_RESUME_WORKFLOW'], ['raiseEvent/approved', 'ERR_RAISE_EVENT_WORKFLOW']]) {
      const res = await errorOf(await wf.post(`nobody/${op}`, {}));
      expect([res.status, res.body.errorCode], op).toEqual([500, code]);
    }
  });
});

describe('instances over HTTP', () => {
  it.each(['v1.0-alpha1', 'v1.0-beta1', 'v1.0'])('runs an instance under %s: start, status in Dapr’s shape, event, output', async (version) => {
    const api = workflowClient(mecha.url, version);
    const started = await api.post('approval/start', { order: 7 });
    expect(started.status).toBe(202);
    const { instanceID } = (await started.json()) as { instanceID: string };
    expect(instanceID).toMatch(/^[0-9a-f-]{36}$/);
    const running = await api.waitFor(instanceID, ['RUNNING']);
    expect(running).toMatchObject({ instanceID, workflowName: 'approval', properties: { 'dapr.workflow.input': '{"order":7}' } });
    expect(running.createdAt).toMatch(rfc3339);
    expect(running.lastUpdatedAt).toMatch(rfc3339);
    const raised = await api.post(`${instanceID}/raiseEvent/approved`, { by: 'ann' });
    expect([raised.status, await raised.text()]).toEqual([202, '{}']);
    const done = await api.waitFor(instanceID, ['COMPLETED']);
    expect(JSON.parse(done.properties!['dapr.workflow.output'])).toEqual({ order: 7, decision: { by: 'ann' } });
  });

  it('keeps an event raised before the instance waits for it', async () => {
    const id = await wf.start('approval', { order: 8 }, 'early-1');
    // Raised at once: the instance may not have entered its waiting state yet.
    expect((await wf.post(`${id}/raiseEvent/approved`, 'yes')).status).toBe(202);
    const done = await wf.waitFor(id, ['COMPLETED']);
    expect(JSON.parse(done.properties!['dapr.workflow.output']).decision).toBe('yes');
  });

  it('pauses, resumes, terminates and purges', async () => {
    const id = await wf.start('approval', {}, 'ops-1');
    await wf.waitForEvent(id, 'TimerCreated', 'Approve');
    expect((await wf.post(`${id}/pause`)).status).toBe(202);
    expect((await wf.status(id)).runtimeStatus).toBe('SUSPENDED');
    // A suspended instance keeps the event and does not move until it is resumed.
    expect((await wf.post(`${id}/raiseEvent/approved`, 1)).status).toBe(202);
    expect((await wf.status(id)).runtimeStatus).toBe('SUSPENDED');
    const busy = await errorOf(await wf.post(`${id}/purge`));
    expect([busy.status, busy.body.errorCode]).toEqual([500, 'ERR_PURGE_WORKFLOW']);
    expect((await wf.post(`${id}/resume`)).status).toBe(202);
    await wf.waitFor(id, ['COMPLETED']);

    const other = await wf.start('approval', {}, 'ops-2');
    await wf.waitForEvent(other, 'TimerCreated', 'Approve');
    expect((await wf.post(`${other}/terminate`)).status).toBe(202);
    expect((await wf.waitFor(other, ['TERMINATED'])).runtimeStatus).toBe('TERMINATED');
    const notPaused = await errorOf(await wf.post(`${other}/resume`));
    expect([notPaused.status, notPaused.body.errorCode]).toEqual([500, 'ERR_RESUME_WORKFLOW']);
    expect((await wf.post(`${other}/purge`)).status).toBe(202);
    expect((await wf.get(other)).status).toBe(404);
  });

  it('reports a failure in Dapr’s failure properties, without an output', async () => {
    const id = await wf.start('failing', {});
    const failed = await wf.waitFor(id, ['FAILED']);
    expect(failed.properties).toEqual({ 'dapr.workflow.input': '{}', 'dapr.workflow.failure.error_type': 'Order.Invalid', 'dapr.workflow.failure.error_message': 'no items' });
  });

  it('lists the history of an instance, in order', async () => {
    const id = await wf.start('approval', { order: 9 }, 'hist-1');
    await wf.waitForEvent(id, 'TimerCreated', 'Approve');
    await wf.post(`${id}/raiseEvent/approved`, true);
    await wf.waitFor(id, ['COMPLETED']);
    const events = await wf.history(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.map((e) => [e.type, e.state])).toEqual([
      ['ExecutionStarted', undefined],
      ['StateEntered', 'Approve'],
      ['TimerCreated', 'Approve'],
      ['EventRaised', 'Approve'],
      ['StateExited', 'Approve'],
      ['StateEntered', 'Done'],
      ['StateExited', 'Done'],
      ['ExecutionCompleted', undefined],
    ]);
    expect(events[3].details).toEqual({ name: 'approved' });
  });
});

describe('instances over gRPC', () => {
  it('starts, reads, raises an event to, and purges an instance (Beta1 and Alpha1)', async () => {
    const started = await grpc.call<{ instance_id: string }>('StartWorkflowBeta1', {
      workflow_component: 'dapr',
      workflow_name: 'approval',
      instance_id: 'grpc-1',
      input: Buffer.from('{"order":1}'),
    });
    expect(started.instance_id).toBe('grpc-1');
    await wf.waitForEvent('grpc-1', 'TimerCreated', 'Approve');
    const got = await grpc.call<Record<string, unknown>>('GetWorkflowAlpha1', { workflow_component: 'dapr', instance_id: 'grpc-1' });
    expect(got).toMatchObject({ instance_id: 'grpc-1', workflow_name: 'approval', runtime_status: 'RUNNING', properties: { 'dapr.workflow.input': '{"order":1}' } });
    expect(Number((got.created_at as { seconds: string }).seconds)).toBeGreaterThan(1_700_000_000);
    await grpc.call('RaiseEventWorkflowBeta1', { workflow_component: 'dapr', instance_id: 'grpc-1', event_name: 'approved', event_data: Buffer.from('"ok"') });
    await wf.waitFor('grpc-1', ['COMPLETED']);
    await grpc.call('PurgeWorkflowBeta1', { workflow_component: 'dapr', instance_id: 'grpc-1' });
    // daprd answers an unknown instance over gRPC with the id alone, not an error.
    expect(await grpc.call('GetWorkflowBeta1', { workflow_component: 'dapr', instance_id: 'grpc-1' })).toMatchObject({ instance_id: 'grpc-1', workflow_name: '', runtime_status: '' });
  });

  it('maps errors through the catalogue', async () => {
    const fail = (rpc: string, req: object) => grpc.call(rpc, req).then(() => undefined, (e: ServiceError) => [e.code, e.details]);
    expect(await fail('StartWorkflowBeta1', { workflow_name: 'approval' })).toEqual([3, 'no workflow component was provided']);
    expect(await fail('StartWorkflowBeta1', { workflow_component: 'dapr' })).toEqual([3, 'workflow name is not configured']);
    expect(await fail('TerminateWorkflowBeta1', { workflow_component: 'dapr' })).toEqual([3, 'no instance ID was provided']);
    expect(await fail('RaiseEventWorkflowBeta1', { workflow_component: 'dapr', instance_id: 'x' })).toEqual([3, 'missing workflow event name']);
    expect(await fail('PurgeWorkflowAlpha1', { workflow_component: 'dapr', instance_id: 'nobody' })).toEqual([5, 'unable to find workflow with the provided instance ID: nobody']);
    expect(await fail('StartWorkflowBeta1', { workflow_component: 'dapr', workflow_name: 'approval', options: { 'dapr.workflow.start_time': 'soon' } })).toEqual([
      13,
      'error starting workflow \'approval\': start times must be in RFC3339 format (e.g. "2009-11-10T23:00:00Z")',
    ]);
  });
});
