import { Errors, type ErrorKind } from '../../../errors/codes.js';
import { WORKFLOW_API_VERSIONS } from '../workflow-routes.js';
import { anyBody, answers, BODY_ERRORS, jsonAnswer, pathParam, type Json, type Paths } from './parts.js';

/** The workflow API (workflow-routes.ts) in the sidecar's OpenAPI document, under each version daprd serves. */

const tags = ['workflows'];
const COMPONENT = [Errors.WorkflowComponentMissing, Errors.WorkflowComponentNotFound];
const TARGET = [...COMPONENT, Errors.WorkflowInstanceIdMissing];
const accepted = { '202': jsonAnswer('Accepted (the protojson of google.protobuf.Empty).', { type: 'object' }) };

const STATUS: Json = {
  type: 'object',
  description: "Dapr's workflow status: RFC 3339 timestamps; properties dapr.workflow.input, dapr.workflow.output, dapr.workflow.failure.error_type and error_message.",
  required: ['instanceID', 'workflowName', 'createdAt', 'lastUpdatedAt', 'runtimeStatus'],
  properties: {
    instanceID: { type: 'string' },
    workflowName: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    lastUpdatedAt: { type: 'string', format: 'date-time' },
    runtimeStatus: { enum: ['RUNNING', 'COMPLETED', 'FAILED', 'TERMINATED', 'SUSPENDED', 'PENDING'] },
    properties: { type: 'object', additionalProperties: { type: 'string' } },
  },
};
const HISTORY: Json = {
  type: 'object',
  required: ['instanceID', 'events'],
  properties: {
    instanceID: { type: 'string' },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['seq', 'timestamp', 'type'],
        properties: { seq: { type: 'integer' }, timestamp: { type: 'string', format: 'date-time' }, type: { type: 'string' }, state: { type: 'string' }, details: { type: 'object' } },
      },
    },
  },
};

interface Op {
  method: 'get' | 'post';
  suffix: string;
  id: string;
  summary: string;
  params: string[];
  body?: string;
  ok: Record<string, Json>;
  errors: ErrorKind[];
}

const OPS: Op[] = [
  {
    method: 'post', suffix: '{name}/start', id: 'startWorkflow', summary: 'Starts an instance of a declared workflow (docs/workflows.md); `instanceID` in the query, else a random UUID.', params: ['name'],
    body: 'The input, JSON.', ok: { '202': jsonAnswer('Started.', { type: 'object', required: ['instanceID'], properties: { instanceID: { type: 'string' } } }) },
    errors: [...COMPONENT, Errors.WorkflowInstanceIdTooLong, Errors.WorkflowInstanceIdInvalid, Errors.WorkflowNameMissing, Errors.StartWorkflow, Errors.StartWorkflowInput, ...BODY_ERRORS],
  },
  { method: 'get', suffix: '{instanceId}', id: 'getWorkflow', summary: "An instance's status.", params: ['instanceId'], ok: { '200': jsonAnswer('The status.', STATUS) }, errors: [...TARGET, Errors.WorkflowInstanceNotFound, Errors.GetWorkflow] },
  { method: 'get', suffix: '{instanceId}/history', id: 'getWorkflowHistory', summary: "An instance's execution events, oldest first (Mecha's addition).", params: ['instanceId'], ok: { '200': jsonAnswer('The history.', HISTORY) }, errors: [...TARGET, Errors.WorkflowInstanceNotFound, Errors.GetWorkflow] },
  { method: 'post', suffix: '{instanceId}/terminate', id: 'terminateWorkflow', summary: 'Terminates an instance (a finished one is left as it is).', params: ['instanceId'], ok: accepted, errors: [...TARGET, Errors.WorkflowInstanceNotFound, Errors.TerminateWorkflow] },
  { method: 'post', suffix: '{instanceId}/pause', id: 'pauseWorkflow', summary: 'Suspends a running instance.', params: ['instanceId'], ok: accepted, errors: [...TARGET, Errors.PauseWorkflow] },
  { method: 'post', suffix: '{instanceId}/resume', id: 'resumeWorkflow', summary: 'Resumes a suspended instance.', params: ['instanceId'], ok: accepted, errors: [...TARGET, Errors.ResumeWorkflow] },
  { method: 'post', suffix: '{instanceId}/purge', id: 'purgeWorkflow', summary: 'Removes a finished instance and its history.', params: ['instanceId'], ok: accepted, errors: [...TARGET, Errors.WorkflowInstanceNotFound, Errors.PurgeWorkflow] },
  {
    method: 'post', suffix: '{instanceId}/raiseEvent/{eventName}', id: 'raiseWorkflowEvent', summary: 'Raises an event for an instance (kept until an event: Task takes it).', params: ['instanceId', 'eventName'],
    body: 'The event data, JSON.', ok: accepted, errors: [...TARGET, Errors.WorkflowEventNameMissing, Errors.RaiseEventWorkflow, Errors.RaiseEventWorkflowData, ...BODY_ERRORS],
  },
];

export const WORKFLOW_PATHS: Paths = Object.fromEntries(
  WORKFLOW_API_VERSIONS.flatMap((v) =>
    OPS.map((op): [string, Json] => {
      const version = v.replace(/^v1\.0-?/, '').replace(/^./, (c) => c.toUpperCase());
      return [
        `/${v}/workflows/{component}/${op.suffix}`,
        {
          parameters: [pathParam('component', 'The workflow component: `dapr`.'), ...op.params.map((p) => pathParam(p, `The ${p}.`))],
          [op.method]: {
            tags,
            operationId: `${op.id}${version}`,
            summary: op.summary,
            ...(op.body ? { requestBody: anyBody(op.body) } : {}),
            responses: answers(op.ok, ...op.errors),
          },
        },
      ];
    }),
  ),
);
