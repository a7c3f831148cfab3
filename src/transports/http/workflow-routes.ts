import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { instanceNotFound, type WorkflowsApi, type WorkflowView } from '../../core/workflows-api.js';
import type { HistoryEvent } from '../../workflows/engine.js';
import { firstValue, type Query } from './request.js';

/** daprd 1.17 serves the workflow API under all three versions. */
export const WORKFLOW_API_VERSIONS = ['v1.0-alpha1', 'v1.0-beta1', 'v1.0'];

type Params = { component: string; name: string; instanceId: string; eventName: string };
type Req = FastifyRequest<{ Params: Params; Querystring: Query }>;

/** `/v1.0*\/workflows/{component}/…`: Dapr's workflow management API (and our `…/history`) on the workflows core. */
export function registerWorkflowRoutes(app: FastifyInstance, workflows: WorkflowsApi): void {
  const route = (method: 'GET' | 'POST', suffix: string, handler: (req: Req, reply: FastifyReply) => Promise<unknown>) => {
    for (const v of WORKFLOW_API_VERSIONS) app.route({ method, url: `/${v}/workflows/:component/${suffix}`, handler });
  };
  const target = (req: Req) => ({ component: req.params.component, instanceId: req.params.instanceId });
  // daprd answers 202 with the protojson of google.protobuf.Empty.
  const accepted = (reply: FastifyReply) => reply.code(202).type('application/json').send('{}');

  route('POST', ':name/start', async (req, reply) => {
    const instanceId = await workflows.start({
      component: req.params.component,
      workflowName: req.params.name,
      instanceId: firstValue(req.query, 'instanceID'),
      input: body(req),
      contentType: req.headers['content-type'],
    });
    return reply.code(202).type('application/json').send(JSON.stringify({ instanceID: instanceId }));
  });
  route('GET', ':instanceId', async (req, reply) => {
    const view = await workflows.get(target(req));
    if (!view) throw instanceNotFound(req.params.instanceId);
    return reply.code(200).type('application/json').send(JSON.stringify(encodeView(view)));
  });
  route('GET', ':instanceId/history', async (req, reply) => {
    const events = await workflows.history(target(req));
    return reply.code(200).type('application/json').send(JSON.stringify({ instanceID: req.params.instanceId, events: events.map(encodeEvent) }));
  });
  for (const op of ['terminate', 'pause', 'resume', 'purge'] as const) {
    route('POST', `:instanceId/${op}`, async (req, reply) => {
      await workflows[op](target(req));
      return accepted(reply);
    });
  }
  route('POST', ':instanceId/raiseEvent/:eventName', async (req, reply) => {
    await workflows.raiseEvent({ ...target(req), eventName: req.params.eventName, data: body(req), contentType: req.headers['content-type'] });
    return accepted(reply);
  });
}

const body = (req: Req): Buffer | undefined => (Buffer.isBuffer(req.body) ? req.body : undefined);

/** protojson's GetWorkflowResponse: lowerCamel names, `instanceID` as its json_name says, an empty map omitted. */
function encodeView(v: WorkflowView): Record<string, unknown> {
  return {
    instanceID: v.instanceId,
    workflowName: v.workflowName,
    createdAt: rfc3339(v.createdAt),
    lastUpdatedAt: rfc3339(v.lastUpdatedAt),
    runtimeStatus: v.runtimeStatus,
    ...(Object.keys(v.properties).length > 0 ? { properties: v.properties } : {}),
  };
}

function encodeEvent(e: HistoryEvent): Record<string, unknown> {
  return { seq: e.seq, timestamp: rfc3339(e.timestamp), type: e.type, ...(e.state !== undefined ? { state: e.state } : {}), ...(e.details ? { details: e.details } : {}) };
}

/** A google.protobuf.Timestamp as protojson writes it: UTC, `Z`, fractional seconds only when not zero. */
export function rfc3339(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
