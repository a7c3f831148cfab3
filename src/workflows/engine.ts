/**
 * What the workflow management API (HTTP, gRPC) asks of the engine that runs declared workflows. The API
 * validates requests and maps `WorkflowEngineError` reasons to Dapr's workflow error codes; the engine owns
 * instances, their persistence and their execution.
 */

/** Dapr's runtime statuses, as its workflow API spells them. */
export type RuntimeStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'TERMINATED' | 'SUSPENDED' | 'PENDING';

export interface WorkflowInstanceStatus {
  instanceId: string;
  workflowName: string;
  createdAt: Date;
  lastUpdatedAt: Date;
  runtimeStatus: RuntimeStatus;
  /** JSON text of the instance's input and (once finished) its output, as Dapr reports them. */
  input?: string;
  output?: string;
  /** Set when FAILED: for ASL, the `Error` and `Cause` of the failure. */
  failure?: { errorType: string; errorMessage: string };
}

/** One execution event, for `GET …/{instanceID}/history`. */
export interface HistoryEvent {
  /** 0-based position in the instance's history. */
  seq: number;
  timestamp: Date;
  type:
    | 'ExecutionStarted'
    | 'StateEntered'
    | 'StateExited'
    | 'TaskScheduled'
    | 'TaskSucceeded'
    | 'TaskFailed'
    | 'TaskRetryScheduled'
    | 'TimerCreated'
    | 'TimerFired'
    | 'EventRaised'
    | 'ExecutionSuspended'
    | 'ExecutionResumed'
    | 'ExecutionCompleted'
    | 'ExecutionFailed'
    | 'ExecutionTerminated';
  /** The state it concerns (with its Parallel branch / Map item path when nested), when it concerns one. */
  state?: string;
  details?: Record<string, unknown>;
}

export type WorkflowEngineErrorReason =
  /** No Workflow resource of that name runs here. */
  | 'workflow-not-found'
  | 'instance-not-found'
  /** Start with an instance id that is in use by an instance that has not finished. */
  | 'instance-exists'
  /** The operation does not apply in the instance's status (e.g. resume of a running one, purge of a running one). */
  | 'invalid-status';

export class WorkflowEngineError extends Error {
  constructor(
    readonly reason: WorkflowEngineErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export interface WorkflowEngine {
  /** Starts an instance of a declared workflow; resolves with its id once its start is persisted. */
  start(workflowName: string, input: unknown, instanceId?: string): Promise<string>;
  get(instanceId: string): Promise<WorkflowInstanceStatus | undefined>;
  terminate(instanceId: string, output?: unknown): Promise<void>;
  pause(instanceId: string, reason?: string): Promise<void>;
  resume(instanceId: string, reason?: string): Promise<void>;
  /** Kept for the instance even when it has not reached the waiting state yet (as Dapr workflows keep external events). */
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void>;
  /** Removes a finished instance and its history. */
  purge(instanceId: string): Promise<void>;
  history(instanceId: string): Promise<HistoryEvent[] | undefined>;
}
