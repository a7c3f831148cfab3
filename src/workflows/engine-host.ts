import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResourceLoadError } from '../config/resource-problem.js';
import type { MechaKindDeps } from '../runtime/mecha-kinds/mecha-kind.js';
import { WorkflowEngineError, type HistoryEvent, type WorkflowEngine, type WorkflowInstanceStatus } from './engine.js';
import type { WorkflowRuntime } from './engine/workflow-runtime.js';
import type { WorkflowDefinition } from './workflow-resources.js';

/** The embedded store's key among the stores instances persist in. */
const EMBEDDED = '';

/** Seconds from an environment variable, or the default. */
function seconds(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v * 1000 : fallback * 1000;
}

/**
 * The engine as the management API sees it: routes each call to the runtime of the store the instance
 * lives in. The runtimes (and the ASL library) load on the first apply that declares a workflow.
 */
export class WorkflowEngineHost implements WorkflowEngine {
  #definitions = new Map<string, WorkflowDefinition>();
  readonly #runtimes = new Map<string, WorkflowRuntime>();
  #replicaId?: string;

  constructor(private readonly deps: MechaKindDeps) {}

  definitions(): WorkflowDefinition[] {
    return [...this.#definitions.values()];
  }

  /** Swaps the declared set: new instances start on it; running ones keep the definition they started with. */
  async apply(workflows: WorkflowDefinition[]): Promise<void> {
    const missing = workflows.filter((w) => w.stateStore !== undefined && !this.deps.components.get('state', w.stateStore));
    if (missing.length > 0) {
      throw new ResourceLoadError(missing.map((w) => ({ ...w.at, field: 'spec.stateStore', message: `names no state store component: "${w.stateStore}"` })));
    }
    this.#definitions = new Map(workflows.map((w) => [w.name, w]));
    for (const w of workflows) await this.#runtime(w.stateStore ?? EMBEDDED);
  }

  async #runtime(store: string): Promise<WorkflowRuntime> {
    const existing = this.#runtimes.get(store);
    if (existing) return existing;
    const [{ WorkflowRuntime }, { InstanceRepo }, { taskRunner }] = await Promise.all([
      import('./engine/workflow-runtime.js'),
      import('./store/instance-repo.js'),
      import('./tasks/task-runner.js'),
    ]);
    const kv =
      store === EMBEDDED
        ? new (await import('./store/sqlite-kv.js')).SqliteKv(join(this.deps.dataDir, 'workflows', 'workflows.db'))
        : new (await import('./store/state-kv.js')).StateKv(this.deps.blocks.state, store);
    const runtime = new WorkflowRuntime(new InstanceRepo(kv), {
      replicaId: this.#replica(),
      runner: true,
      leaseMs: seconds('MECHA_WORKFLOW_LEASE_SECONDS', 20),
      scanMs: seconds('MECHA_WORKFLOW_SCAN_SECONDS', 5),
      runTask: taskRunner({ appId: this.deps.appId, blocks: this.deps.blocks, invocation: this.deps.invocation }),
      logger: this.deps.logger.child({ scope: 'workflows' }),
    });
    this.#runtimes.set(store, runtime);
    runtime.start();
    return runtime;
  }

  /**
   * This sidecar's identity in leases, kept in the data dir: restarted after a crash, it resumes its own
   * instances at once instead of waiting for their leases to expire.
   */
  #replica(): string {
    if (this.#replicaId) return this.#replicaId;
    const file = join(this.deps.dataDir, 'workflows', 'replica-id');
    try {
      this.#replicaId = readFileSync(file, 'utf8').trim();
    } catch {
      this.#replicaId = `${this.deps.appId}-${randomUUID()}`;
      mkdirSync(join(this.deps.dataDir, 'workflows'), { recursive: true });
      writeFileSync(file, this.#replicaId);
    }
    return this.#replicaId;
  }

  async start(workflowName: string, input: unknown, instanceId?: string): Promise<string> {
    const def = this.#definitions.get(workflowName);
    if (!def) throw new WorkflowEngineError('workflow-not-found', `no workflow named '${workflowName}' is declared for this app`);
    const id = instanceId ?? randomUUID();
    await (await this.#runtime(def.stateStore ?? EMBEDDED)).startInstance(def, input, id);
    return id;
  }

  async get(instanceId: string): Promise<WorkflowInstanceStatus | undefined> {
    for (const r of this.#runtimes.values()) {
      const status = await r.status(instanceId);
      if (status) return status;
    }
    return undefined;
  }

  async history(instanceId: string): Promise<HistoryEvent[] | undefined> {
    for (const r of this.#runtimes.values()) {
      const events = await r.history(instanceId);
      if (events) return events;
    }
    return undefined;
  }

  async terminate(instanceId: string, output?: unknown): Promise<void> {
    const { runtime, status } = await this.#find(instanceId);
    if (status === 'COMPLETED' || status === 'FAILED' || status === 'TERMINATED') return;
    await runtime.operate(instanceId, { op: 'terminate', ...(output === undefined ? {} : { output }) });
  }

  async pause(instanceId: string, reason?: string): Promise<void> {
    const { runtime, status } = await this.#find(instanceId);
    if (status === 'SUSPENDED') return;
    if (status !== 'RUNNING') throw new WorkflowEngineError('invalid-status', `instance '${instanceId}' is ${status}: only a running instance can be suspended`);
    await runtime.operate(instanceId, { op: 'pause', reason });
  }

  async resume(instanceId: string, reason?: string): Promise<void> {
    const { runtime, status } = await this.#find(instanceId);
    if (status !== 'SUSPENDED') throw new WorkflowEngineError('invalid-status', `instance '${instanceId}' is ${status}: only a suspended instance can be resumed`);
    await runtime.operate(instanceId, { op: 'resume', reason });
  }

  async raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void> {
    const { runtime, status } = await this.#find(instanceId);
    if (status === 'COMPLETED' || status === 'FAILED' || status === 'TERMINATED') {
      throw new WorkflowEngineError('invalid-status', `instance '${instanceId}' is ${status}: it takes no more events`);
    }
    await runtime.operate(instanceId, { op: 'raise', name: eventName, data });
  }

  async purge(instanceId: string): Promise<void> {
    const { runtime } = await this.#find(instanceId);
    await runtime.purge(instanceId);
  }

  async #find(instanceId: string): Promise<{ runtime: WorkflowRuntime; status: string }> {
    for (const runtime of this.#runtimes.values()) {
      const r = await runtime.record(instanceId);
      if (r) return { runtime, status: r.status };
    }
    throw new WorkflowEngineError('instance-not-found', `no workflow instance with ID '${instanceId}'`);
  }

  async close(): Promise<void> {
    const runtimes = [...this.#runtimes.values()];
    this.#runtimes.clear();
    await Promise.all(runtimes.map((r) => r.close()));
  }
}
