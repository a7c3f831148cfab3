import { WorkflowsApi } from '../core/workflows-api.js';
import type { MechaKind, MechaKindDeps } from '../runtime/mecha-kinds/mecha-kind.js';
import { workflowHandlers } from '../transports/grpc/workflow-handlers.js';
import { WORKFLOW_PATHS } from '../transports/http/openapi/workflows.js';
import { registerWorkflowRoutes } from '../transports/http/workflow-routes.js';
import type { WorkflowEngine } from './engine.js';
import { WorkflowEngineHost } from './engine-host.js';
import { readWorkflows } from './workflow-resources.js';

/** The `Workflow` kind, with the engine that runs its instances (the management API calls `engine`). */
export interface WorkflowKind extends MechaKind {
  readonly engine: WorkflowEngine;
}

/**
 * `kind: Workflow` (mecha.io/v1alpha1): ASL state machines run by the durable engine. Loading validates
 * every document; applying swaps the declared set (new instances start on the new definitions, running
 * ones keep theirs: it is persisted with them).
 */
export function createWorkflowKind(deps: MechaKindDeps): WorkflowKind {
  const host = new WorkflowEngineHost(deps);
  const api = new WorkflowsApi(host);
  return {
    kind: 'Workflow',
    metadataKey: 'workflows',
    engine: host,
    load(docs) {
      const { workflows, problems } = readWorkflows(docs, deps.appId);
      return { problems, apply: () => host.apply(workflows) };
    },
    metadata: () =>
      host.definitions().map((w) => ({
        name: w.name,
        stateStore: w.stateStore ?? '',
        states: Object.keys(w.definition.States).length,
        definitionHash: w.hash,
      })),
    // Dapr's workflow management API, served whether or not a Workflow is declared (as daprd serves it).
    httpRoutes: (app) => registerWorkflowRoutes(app, api),
    openApi: () => ({ paths: WORKFLOW_PATHS }),
    grpcHandlers: (guard) => workflowHandlers(api, guard),
    close: () => host.close(),
  };
}
