import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommunicationProtocolEnum, DaprClient, LogLevel } from '@dapr/dapr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { resourcesDir } from '../support/resources.js';
import { pythonSdk } from '../support/sdk-python.js';
import { runReport } from '../support/sdk-toolchains.js';
import { workflowClient, workflowDoc } from '../support/workflows.js';

// The official SDKs manage declared workflows: the JavaScript SDK's `client.workflow` (HTTP, v1.0-beta1)
// and the Python SDK's generated Dapr stub (gRPC, the Beta1 RPCs). The input is reported as the engine
// keeps it: compact JSON (daprd reports the text as sent).
const CLIENT = fileURLToPath(new URL('./sdk/python/workflow_client.py', import.meta.url));
const approval = workflowDoc('approval', {
  StartAt: 'Approve',
  States: { Approve: { Type: 'Task', Resource: 'event:approved', ResultPath: '$.decision', End: true } },
});
const toolchain = await pythonSdk();
if ('skip' in toolchain) process.stderr.write(`[sdk-workflows] Python part skipped: ${toolchain.skip}\n`);

let mecha: MechaProcess;

beforeAll(async () => {
  mecha = await startMecha(['--app-id', 'sdk-wf', '--resources-path', resourcesDir({ 'approval.yaml': approval })], { cwd: mkdtempSync(join(tmpdir(), 'mecha-wf-sdk-')) });
});
afterAll(async () => {
  await mecha?.stop();
});

describe('the JavaScript SDK (client.workflow over HTTP)', () => {
  it('starts, reads, pauses, resumes, raises an event to and purges an instance', async () => {
    const client = new DaprClient({ daprHost: '127.0.0.1', daprPort: String(mecha.httpPort), communicationProtocol: CommunicationProtocolEnum.HTTP, logger: { level: LogLevel.Error } });
    const id = await client.workflow.start('approval', { order: 'js' });
    const wf = workflowClient(mecha.url);
    await wf.waitForEvent(id, 'TimerCreated', 'Approve');
    const state = await client.workflow.get(id);
    expect(state).toMatchObject({ instanceID: id, workflowName: 'approval', runtimeStatus: 'RUNNING', properties: { 'dapr.workflow.input': '{"order":"js"}' } });
    expect(state.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    await client.workflow.pause(id);
    expect((await client.workflow.get(id)).runtimeStatus).toBe('SUSPENDED');
    await client.workflow.resume(id);
    await client.workflow.raise(id, 'approved', { by: 'js' });
    const done = await wf.waitFor(id, ['COMPLETED', 'FAILED']);
    expect(JSON.parse(done.properties!['dapr.workflow.output'])).toEqual({ order: 'js', decision: { by: 'js' } });
    await client.workflow.purge(id);
    await expect(client.workflow.get(id)).rejects.toThrow();
  });
});

describe('the JavaScript SDK with text payloads', () => {
  it('takes a string input and a string event, which the SDK sends as text/plain, as JSON strings', async () => {
    const client = new DaprClient({ daprHost: '127.0.0.1', daprPort: String(mecha.httpPort), communicationProtocol: CommunicationProtocolEnum.HTTP, logger: { level: LogLevel.Error } });
    const wf = workflowClient(mecha.url);
    const named = await client.workflow.start('approval', 'order-9');
    expect((await client.workflow.get(named)).properties['dapr.workflow.input']).toBe('"order-9"');
    await client.workflow.terminate(named);
    const id = await client.workflow.start('approval', { order: 'text' });
    await wf.waitForEvent(id, 'TimerCreated', 'Approve');
    await client.workflow.raise(id, 'approved', 'yes');
    expect(JSON.parse((await wf.waitFor(id, ['COMPLETED', 'FAILED'])).properties!['dapr.workflow.output'])).toEqual({ order: 'text', decision: 'yes' });
  });
});

describe.skipIf('skip' in toolchain)('the Python SDK’s Dapr stub (gRPC Beta1)', () => {
  it('manages an instance with the messages Dapr publishes', async () => {
    const python = 'ready' in toolchain ? toolchain.ready : '';
    const report = await runReport(python, [CLIENT, 'py-1'], { DAPR_GRPC_PORT: String(mecha.grpcPort), PYTHONWARNINGS: 'ignore' });
    expect(report).toEqual({
      started: 'py-1',
      running: { instance_id: 'py-1', workflow_name: 'approval', runtime_status: 'RUNNING', created_at_set: true, properties: { 'dapr.workflow.input': '{"order":"py"}' } },
      paused: 'SUSPENDED',
      completed: {
        instance_id: 'py-1',
        workflow_name: 'approval',
        runtime_status: 'COMPLETED',
        created_at_set: true,
        properties: { 'dapr.workflow.input': '{"order":"py"}', 'dapr.workflow.output': '{"order":"py","decision":{"by":"py"}}' },
      },
      terminatePurged: { code: 'NOT_FOUND', details: 'unable to find workflow with the provided instance ID: py-1' },
    });
  });
});
