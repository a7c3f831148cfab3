import { randomUUID } from 'node:crypto';
import { Errors, type ErrorKind } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import { WorkflowEngineError, type HistoryEvent, type RuntimeStatus, type WorkflowEngine } from '../workflows/engine.js';

/** The one workflow component a Dapr app names: daprd's built-in engine is `dapr`, and so is ours. */
const WORKFLOW_COMPONENT = 'dapr';
/** daprd's limit, in bytes of UTF-8 (Go's `len`), kept short for state stores with short keys. */
const MAX_INSTANCE_ID_BYTES = 64;
/** daprd's allowed characters: Unicode letters and digits, `_` and `-`. */
const INSTANCE_ID = /^[\p{L}\p{Nd}_-]+$/u;
const START_TIME = 'dapr.workflow.start_time';
/** Go's time.RFC3339 layout (fractional seconds accepted, as Go's parser does). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every management call names the component and (but for start) the instance. */
export interface WorkflowTarget {
  component: string;
  instanceId: string;
}

export interface StartWorkflowApiRequest {
  component: string;
  workflowName: string;
  /** Empty or absent: a random id, as daprd makes one. */
  instanceId?: string;
  /** The input as sent (HTTP body, proto bytes): JSON text, or empty for none. */
  input?: Uint8Array;
  /** HTTP only: the body's Content-Type (a `text/*` body that is not JSON is taken as a string). */
  contentType?: string;
  /** gRPC only; Dapr's one option is `dapr.workflow.start_time`. */
  options?: Record<string, string>;
}

export interface RaiseEventApiRequest extends WorkflowTarget {
  eventName: string;
  /** JSON text, or empty for none. */
  data?: Uint8Array;
  /** HTTP only: the body's Content-Type, as for a start. */
  contentType?: string;
}

/** An instance as Dapr's GetWorkflow reports it. */
export interface WorkflowView {
  instanceId: string;
  workflowName: string;
  createdAt: Date;
  lastUpdatedAt: Date;
  runtimeStatus: RuntimeStatus;
  /** `dapr.workflow.input`, `dapr.workflow.output`, `dapr.workflow.failure.error_type` / `error_message`. */
  properties: Record<string, string>;
}

/**
 * Dapr's workflow management API over the engine: daprd's validation order and messages, engine
 * reasons mapped to daprd's workflow error codes. One core for HTTP and gRPC.
 */
export class WorkflowsApi {
  constructor(private readonly engine: WorkflowEngine) {}

  async start(req: StartWorkflowApiRequest): Promise<string> {
    checkComponent(req.component);
    const instanceId = req.instanceId || randomUUID();
    if (Buffer.byteLength(instanceId) > MAX_INSTANCE_ID_BYTES) {
      throw new SidecarError(Errors.WorkflowInstanceIdTooLong, `workflow instance ID exceeds the max length of ${MAX_INSTANCE_ID_BYTES} characters`);
    }
    if (!INSTANCE_ID.test(instanceId)) {
      throw new SidecarError(Errors.WorkflowInstanceIdInvalid, `workflow instance ID '${instanceId}' is invalid: only alphanumeric and underscore characters are allowed`);
    }
    if (!req.workflowName) throw new SidecarError(Errors.WorkflowNameMissing, 'workflow name is not configured');
    if (req.options?.[START_TIME] !== undefined) {
      // Checked as daprd checks it; a valid time is still refused: the engine starts instances at once.
      const why = RFC3339.test(req.options[START_TIME])
        ? `${START_TIME} is not supported: instances start when they are created`
        : 'start times must be in RFC3339 format (e.g. "2009-11-10T23:00:00Z")';
      throw new SidecarError(Errors.StartWorkflow, `error starting workflow '${req.workflowName}': ${why}`);
    }
    const input = json(req.input, req.contentType, (why) => new SidecarError(Errors.StartWorkflowInput, `error starting workflow '${req.workflowName}': the input is not JSON: ${why}`));
    const failed = (message: string, cause: unknown) => new SidecarError(Errors.StartWorkflow, `error starting workflow '${req.workflowName}': ${message}`, { cause });
    return this.#call(() => this.engine.start(req.workflowName, input, instanceId), failed);
  }

  /** Undefined when no such instance exists (HTTP answers 404; gRPC, as daprd, an answer naming only the id). */
  async get(t: WorkflowTarget): Promise<WorkflowView | undefined> {
    checkTarget(t);
    const status = await this.#call(
      () => this.engine.get(t.instanceId),
      (message, cause) => new SidecarError(Errors.GetWorkflow, `error while getting workflow info on instance '${t.instanceId}': ${message}`, { cause }),
    );
    if (!status) return undefined;
    const properties: Record<string, string> = {};
    if (status.input !== undefined) properties['dapr.workflow.input'] = status.input;
    if (status.output !== undefined && !status.failure) properties['dapr.workflow.output'] = status.output;
    if (status.failure) {
      properties['dapr.workflow.failure.error_type'] = status.failure.errorType;
      properties['dapr.workflow.failure.error_message'] = status.failure.errorMessage;
    }
    const { instanceId, workflowName, createdAt, lastUpdatedAt, runtimeStatus } = status;
    return { instanceId, workflowName, createdAt, lastUpdatedAt, runtimeStatus, properties };
  }

  async terminate(t: WorkflowTarget): Promise<void> {
    checkTarget(t);
    await this.#call(() => this.engine.terminate(t.instanceId), failure(Errors.TerminateWorkflow, `error terminating workflow '${t.instanceId}'`, t.instanceId));
  }

  async pause(t: WorkflowTarget): Promise<void> {
    checkTarget(t);
    await this.#call(() => this.engine.pause(t.instanceId), failure(Errors.PauseWorkflow, `error pausing workflow ${t.instanceId}`));
  }

  async resume(t: WorkflowTarget): Promise<void> {
    checkTarget(t);
    await this.#call(() => this.engine.resume(t.instanceId), failure(Errors.ResumeWorkflow, `error resuming workflow ${t.instanceId}`));
  }

  async purge(t: WorkflowTarget): Promise<void> {
    checkTarget(t);
    await this.#call(() => this.engine.purge(t.instanceId), failure(Errors.PurgeWorkflow, `error purging workflow ${t.instanceId}`, t.instanceId));
  }

  async raiseEvent(req: RaiseEventApiRequest): Promise<void> {
    checkTarget(req);
    if (!req.eventName) throw new SidecarError(Errors.WorkflowEventNameMissing, 'missing workflow event name');
    const prefix = `error raising event on workflow '${req.instanceId}'`;
    const data = json(req.data, req.contentType, (why) => new SidecarError(Errors.RaiseEventWorkflowData, `${prefix}: the event data is not JSON: ${why}`));
    await this.#call(() => this.engine.raiseEvent(req.instanceId, req.eventName, data), failure(Errors.RaiseEventWorkflow, prefix));
  }

  /** Mecha's addition: the instance's execution events, oldest first. */
  async history(t: WorkflowTarget): Promise<HistoryEvent[]> {
    checkTarget(t);
    const events = await this.#call(
      () => this.engine.history(t.instanceId),
      (message, cause) => new SidecarError(Errors.GetWorkflow, `error while getting workflow history on instance '${t.instanceId}': ${message}`, { cause }),
    );
    if (!events) throw instanceNotFound(t.instanceId);
    return events;
  }

  async #call<T>(run: () => Promise<T>, failed: (message: string, cause: unknown) => SidecarError): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof SidecarError) throw err;
      throw failed(err instanceof Error ? err.message : String(err), err);
    }
  }
}

function checkComponent(component: string): void {
  if (!component) throw new SidecarError(Errors.WorkflowComponentMissing, 'no workflow component was provided');
  if (component !== WORKFLOW_COMPONENT) throw new SidecarError(Errors.WorkflowComponentNotFound, `workflow component '${component}' does not exist`);
}

function checkTarget(t: WorkflowTarget): void {
  checkComponent(t.component);
  if (!t.instanceId) throw new SidecarError(Errors.WorkflowInstanceIdMissing, 'no instance ID was provided');
}

/** daprd's 404 for an instance that does not exist. */
export const instanceNotFound = (instanceId: string) => new SidecarError(Errors.WorkflowInstanceNotFound, `unable to find workflow with the provided instance ID: ${instanceId}`);

/**
 * The error for an engine failure: the operation's code with daprd's message prefix; where daprd answers
 * 404 for an unknown instance (terminate, purge), `notFoundId` names it.
 */
function failure(kind: ErrorKind, prefix: string, notFoundId?: string) {
  return (message: string, cause: unknown): SidecarError => {
    if (notFoundId !== undefined && cause instanceof WorkflowEngineError && cause.reason === 'instance-not-found') return instanceNotFound(notFoundId);
    return new SidecarError(kind, `${prefix}: ${message}`, { cause });
  };
}

/**
 * Input and event data travel as JSON text; empty means none. A `text/*` body that is not JSON is a
 * string: the SDKs send a string payload as text/plain (`client.workflow.raise(id, 'approved', 'yes')`).
 */
function json(bytes: Uint8Array | undefined, contentType: string | undefined, invalid: (why: string) => SidecarError): unknown {
  if (!bytes || bytes.length === 0) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    if (contentType?.trim().toLowerCase().startsWith('text/')) return text;
    throw invalid((err as Error).message);
  }
}
