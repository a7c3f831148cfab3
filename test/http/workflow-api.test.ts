import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowsApi } from '../../src/core/workflows-api.js';
import { buildHttpApi } from '../../src/transports/http/server.js';
import { registerWorkflowRoutes, rfc3339 } from '../../src/transports/http/workflow-routes.js';

// The workflow API's validation and error mapping as daprd 1.17 orders and words them
// (pkg/api/universal/workflow.go, pkg/messages/predefined.go), on a sidecar without Workflow resources.
let app: FastifyInstance;

beforeAll(async () => {
  app = buildHttpApi({ routes: [(a) => registerWorkflowRoutes(a, new WorkflowsApi(() => undefined))], logger: pino({ level: 'silent' }), maxBodyBytes: 1 << 20, apiLogging: false });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

async function call(method: 'GET' | 'POST', url: string, payload?: string) {
  const res = await app.inject({ method, url, payload });
  return { status: res.statusCode, body: res.json() as { errorCode: string; message: string } };
}

describe('workflow management API without declared workflows', () => {
  it.each(['v1.0-alpha1', 'v1.0-beta1', 'v1.0'])('serves %s', async (v) => {
    expect(await call('GET', `/${v}/workflows/dapr/i1`)).toEqual({
      status: 404,
      body: { errorCode: 'ERR_INSTANCE_ID_NOT_FOUND', message: 'unable to find workflow with the provided instance ID: i1' },
    });
  });

  it('refuses a component other than dapr', async () => {
    expect(await call('POST', '/v1.0/workflows/temporal/wf/start')).toEqual({
      status: 400,
      body: { errorCode: 'ERR_WORKFLOW_COMPONENT_NOT_FOUND', message: "workflow component 'temporal' does not exist" },
    });
    expect((await call('POST', '/v1.0/workflows/other/i1/terminate')).body.errorCode).toBe('ERR_WORKFLOW_COMPONENT_NOT_FOUND');
  });

  it('checks the instance id of a start: length in bytes, then the characters', async () => {
    const long = await call('POST', `/v1.0/workflows/dapr/wf/start?instanceID=${'a'.repeat(65)}`);
    expect(long).toEqual({ status: 400, body: { errorCode: 'ERR_INSTANCE_ID_TOO_LONG', message: 'workflow instance ID exceeds the max length of 64 characters' } });
    // 32 two-byte letters are 64 bytes (allowed); 33 are 66 (refused), as Go's len counts.
    expect((await call('POST', `/v1.0/workflows/dapr/wf/start?instanceID=${encodeURIComponent('é'.repeat(33))}`)).body.errorCode).toBe('ERR_INSTANCE_ID_TOO_LONG');
    expect((await call('POST', `/v1.0/workflows/dapr/wf/start?instanceID=${encodeURIComponent('é'.repeat(32))}`)).body.errorCode).toBe('ERR_START_WORKFLOW');
    const invalid = await call('POST', '/v1.0/workflows/dapr/wf/start?instanceID=a.b');
    expect(invalid).toEqual({
      status: 400,
      body: { errorCode: 'ERR_INSTANCE_ID_INVALID', message: "workflow instance ID 'a.b' is invalid: only alphanumeric and underscore characters are allowed" },
    });
    expect((await call('POST', '/v1.0/workflows/dapr/wf/start?instanceID=Order_42-ß')).body.errorCode).toBe('ERR_START_WORKFLOW');
  });

  it('answers ERR_START_WORKFLOW for a workflow that is not declared, and 400 for an input that is not JSON', async () => {
    expect(await call('POST', '/v1.0/workflows/dapr/nowf/start', '{"a":1}')).toEqual({
      status: 500,
      body: { errorCode: 'ERR_START_WORKFLOW', message: "error starting workflow 'nowf': no workflow named 'nowf' is declared" },
    });
    const notJson = await call('POST', '/v1.0/workflows/dapr/nowf/start', '{oops');
    expect(notJson.status).toBe(400);
    expect(notJson.body.errorCode).toBe('ERR_START_WORKFLOW');
    expect(notJson.body.message).toMatch(/^error starting workflow 'nowf': the input is not JSON: /);
  });

  it('maps an unknown instance as daprd does: 404 for terminate and purge, the operation code otherwise', async () => {
    for (const op of ['terminate', 'purge']) {
      expect(await call('POST', `/v1.0/workflows/dapr/i9/${op}`), op).toEqual({
        status: 404,
        body: { errorCode: 'ERR_INSTANCE_ID_NOT_FOUND', message: 'unable to find workflow with the provided instance ID: i9' },
      });
    }
    expect(await call('POST', '/v1.0/workflows/dapr/i9/pause')).toEqual({
      status: 500,
      body: { errorCode: 'ERR_PAUSE_WORKFLOW', message: "error pausing workflow i9: no workflow instance 'i9' exists" },
    });
    expect((await call('POST', '/v1.0/workflows/dapr/i9/resume')).body.errorCode).toBe('ERR_RESUME_WORKFLOW');
    expect(await call('POST', '/v1.0/workflows/dapr/i9/raiseEvent/approved', '{"ok":true}')).toEqual({
      status: 500,
      body: { errorCode: 'ERR_RAISE_EVENT_WORKFLOW', message: "error raising event on workflow 'i9': no workflow instance 'i9' exists" },
    });
    expect((await call('GET', '/v1.0/workflows/dapr/i9/history')).body.errorCode).toBe('ERR_INSTANCE_ID_NOT_FOUND');
  });

  it('refuses event data that is not JSON', async () => {
    const res = await call('POST', '/v1.0/workflows/dapr/i9/raiseEvent/approved', 'yes');
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('ERR_RAISE_EVENT_WORKFLOW');
  });
});

describe('rfc3339', () => {
  it('writes timestamps as protojson does', () => {
    expect(rfc3339(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('2026-01-02T03:04:05Z');
    expect(rfc3339(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 120)))).toBe('2026-01-02T03:04:05.120Z');
  });
});
