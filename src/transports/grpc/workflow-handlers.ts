import type { WorkflowsApi } from '../../core/workflows-api.js';
import { mapOf, unary, type CallGuard, type UnaryHandler } from './handler.js';

type Target = { instance_id: string; workflow_component: string };
type StartRequest = Target & { workflow_name: string; options: Record<string, string> | null; input: Uint8Array };
type RaiseRequest = Target & { event_name: string; event_data: Uint8Array };

const target = (r: Target) => ({ component: r.workflow_component, instanceId: r.instance_id });

/** A google.protobuf.Timestamp from a Date. */
const timestamp = (d: Date) => ({ seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1_000_000 });

/** The workflow RPCs (Beta1, and the deprecated Alpha1 twins daprd still serves) on the workflows core. */
export function workflowHandlers(workflows: WorkflowsApi, guard: CallGuard): Record<string, UnaryHandler> {
  const handlers: Record<string, UnaryHandler> = {
    Start: unary(guard, async (r: StartRequest) => ({
      instance_id: await workflows.start({ component: r.workflow_component, workflowName: r.workflow_name, instanceId: r.instance_id, input: r.input, options: mapOf(r.options) }),
    })),
    Get: unary(guard, async (r: Target) => {
      const view = await workflows.get(target(r));
      // daprd answers an unknown instance over gRPC with a response that names the id alone (HTTP: 404).
      if (!view) return { instance_id: r.instance_id };
      return {
        instance_id: view.instanceId,
        workflow_name: view.workflowName,
        created_at: timestamp(view.createdAt),
        last_updated_at: timestamp(view.lastUpdatedAt),
        runtime_status: view.runtimeStatus,
        properties: view.properties,
      };
    }),
    Terminate: unary(guard, async (r: Target) => workflows.terminate(target(r)).then(() => ({}))),
    Pause: unary(guard, async (r: Target) => workflows.pause(target(r)).then(() => ({}))),
    Resume: unary(guard, async (r: Target) => workflows.resume(target(r)).then(() => ({}))),
    Purge: unary(guard, async (r: Target) => workflows.purge(target(r)).then(() => ({}))),
    RaiseEvent: unary(guard, async (r: RaiseRequest) => workflows.raiseEvent({ ...target(r), eventName: r.event_name, data: r.event_data }).then(() => ({}))),
  };
  return Object.fromEntries(Object.entries(handlers).flatMap(([op, h]) => [[`${op}WorkflowBeta1`, h], [`${op}WorkflowAlpha1`, h]]));
}
