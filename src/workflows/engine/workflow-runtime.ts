import type { Logger } from 'pino';
import type { StateMachine } from '../asl/types.js';
import { WorkflowEngineError, type HistoryEvent, type WorkflowInstanceStatus } from '../engine.js';
import { NO_DUE, INDEX_SHARDS, type InstanceRepo } from '../store/instance-repo.js';
import type { TaskRunner } from '../tasks/task-runner.js';
import type { WorkflowDefinition } from '../workflow-resources.js';
import { DueScheduler } from './due-scheduler.js';
import { FINISHED, nextDue, type InboxOp, type InstanceRecord } from './instance-record.js';
import { LIMITS } from './limits.js';
import { LiveInstance, type LiveHost } from './live-instance.js';

export interface RuntimeOptions {
  /** This replica's identity in leases. */
  replicaId: string;
  /** False: only writes (start, operations) and reads; instances run on the replicas that scan the index. */
  runner: boolean;
  leaseMs: number;
  /** How often the index is scanned for instances to run (due, or orphaned by a dead replica). */
  scanMs: number;
  runTask: TaskRunner;
  logger: Logger;
}

/** Instances woken per scan or timer round; the rest wait for the next one, so a large backlog does not flood a replica. */
const WAKES_PER_SCAN = 200;

/**
 * Runs the instances of one store on this replica: leases (one replica runs an instance at a time),
 * the due-time scheduler, periodic scans of the index (resuming instances after a restart or a dead
 * replica), and the management operations.
 */
export class WorkflowRuntime {
  readonly #live = new Map<string, { live: LiveInstance; leaseUntil: number }>();
  readonly #waking = new Set<string>();
  readonly #settling = new Map<string, boolean>();
  readonly #machines = new Map<string, StateMachine>();
  readonly #scheduler = new DueScheduler((ids) => this.#timersDue(ids));
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #host: LiveHost;
  #closed = false;
  #scanning?: Promise<void>;
  #renewing = false;

  constructor(
    readonly repo: InstanceRepo,
    private readonly o: RuntimeOptions,
  ) {
    this.#host = {
      repo,
      runTask: o.runTask,
      logger: o.logger,
      holds: (live) => this.#current(live) && this.#live.get(live.id)!.leaseUntil - o.leaseMs / 5 > Date.now(),
      idle: (live) => void this.#idle(live),
      remind: (live, due) => this.#scheduler.set(live.id, due),
      drop: (live, why) => this.#drop(live, why),
    };
  }

  /** Instances held in memory now, and instances waiting on a timer in the scheduler. */
  get counts(): { live: number; scheduled: number } {
    return { live: this.#live.size, scheduled: this.#scheduler.size };
  }

  start(): void {
    if (!this.o.runner) return;
    const every = (ms: number, work: () => Promise<void>) => {
      const t = setInterval(() => void work().catch((err: Error) => this.o.logger.warn({ err: err.message }, 'workflow engine: background work failed')), ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.o.scanMs, () => this.scan());
    every(this.o.leaseMs / 3, () => this.#renew());
    void this.scan().catch((err: Error) => this.o.logger.warn({ err: err.message }, 'workflow engine: scan failed'));
  }

  /** Reads the index: due instances are woken (bounded per scan), later ones go to the scheduler. */
  scan(): Promise<void> {
    this.#scanning ??= this.#scan().finally(() => (this.#scanning = undefined));
    return this.#scanning;
  }

  async #scan(): Promise<void> {
    const now = Date.now();
    const due: string[] = [];
    for (let n = 0; n < INDEX_SHARDS && !this.#closed; n++) {
      for (const [id, at] of Object.entries(await this.repo.readShard(n))) {
        if (this.#live.has(id) || at === NO_DUE) continue;
        if (at <= now) due.push(id);
        else this.#scheduler.set(id, at);
      }
    }
    for (const id of due.slice(0, WAKES_PER_SCAN)) await this.wake(id);
  }

  async startInstance(def: WorkflowDefinition, input: unknown, id: string): Promise<void> {
    const existing = await this.repo.getInstance(id);
    if (existing && !FINISHED.has(existing.value.status)) {
      // A start that crashed between the record and its index entry is healed by the start the caller retries.
      await this.repo.setIndex(id, nextDue(existing.value) ?? NO_DUE);
      throw new WorkflowEngineError('instance-exists', `an instance with ID '${id}' already exists and is not finished`);
    }
    // A finished instance of that id is replaced, as Dapr's workflow start does.
    if (existing) await this.repo.remove(id, existing.value.historyLength);
    // Definitions are stored by content hash: once per runtime is enough.
    if (!this.#machines.has(def.hash)) await this.repo.putDefinition(def.hash, def.name, def.text);
    const now = new Date();
    // An execution started without input gets `{}`, as ASL executions do, so ResultPath has an object to write into.
    if (input === undefined) input = {};
    const record: InstanceRecord = {
      v: 1,
      id,
      workflow: def.name,
      definitionHash: def.hash,
      status: 'RUNNING',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      ...(existing ? { run: (existing.value.run ?? 1) + 1 } : {}),
      input,
      frames: [{ id: 0, prefix: '', state: def.definition.StartAt, input, enteredAt: now.toISOString(), visit: 1, phase: 'ready', attempt: 1, retries: [] }],
      nextFrameId: 1,
      events: [],
      steps: 1,
      historyLength: 2,
      ...(def.definition.TimeoutSeconds ? { deadline: now.getTime() + def.definition.TimeoutSeconds * 1000 } : {}),
    };
    const t = now.getTime();
    const tail = await this.repo.appendHistory(id, 0, [], [
      { type: 'ExecutionStarted', t, details: { workflow: def.name, definitionHash: def.hash } },
      { type: 'StateEntered', t, state: def.definition.StartAt },
    ]);
    const mine = this.o.runner && !this.#closed && this.#live.size < LIMITS.maxLiveInstances;
    await this.repo.createLease(id, mine ? { owner: this.o.replicaId, until: t + this.o.leaseMs } : { owner: '', until: 0 });
    await this.repo.createInbox(id);
    await this.repo.putInstance(record);
    await this.repo.setIndex(id, 0);
    this.#machines.set(def.hash, def.definition);
    if (!mine) return;
    const live = new LiveInstance(record, def.definition, tail, this.#host);
    this.#live.set(id, { live, leaseUntil: t + this.o.leaseMs });
    void live.pump();
  }

  async record(id: string): Promise<InstanceRecord | undefined> {
    return this.#live.get(id)?.live.record ?? (await this.repo.getInstance(id))?.value;
  }

  async status(id: string): Promise<WorkflowInstanceStatus | undefined> {
    const r = await this.record(id);
    if (!r) return undefined;
    const text = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
    return {
      instanceId: r.id,
      workflowName: r.workflow,
      createdAt: new Date(r.createdAt),
      lastUpdatedAt: new Date(r.updatedAt),
      runtimeStatus: r.status,
      input: text(r.input),
      output: FINISHED.has(r.status) ? text(r.output) : undefined,
      ...(r.failure ? { failure: r.failure } : {}),
    };
  }

  async history(id: string): Promise<HistoryEvent[] | undefined> {
    const stored = (await this.repo.getInstance(id))?.value;
    if (!stored) return undefined;
    const events = await this.repo.readHistory(id, stored.historyLength);
    return events.map(({ t, ...e }, seq) => ({ ...e, seq, timestamp: new Date(t) }));
  }

  /** Applies an operation here when this replica runs the instance, else leaves it in the inbox for whoever does. */
  async operate(id: string, op: InboxOp): Promise<void> {
    const held = this.#live.get(id);
    if (held) return held.live.apply([op]);
    await this.repo.pushInbox(id, op);
    await this.repo.setIndex(id, 0);
    await this.wake(id);
  }

  async purge(id: string): Promise<void> {
    const r = (await this.repo.getInstance(id))?.value;
    if (!r) throw new WorkflowEngineError('instance-not-found', `no workflow instance with ID '${id}'`);
    if (!FINISHED.has(r.status)) throw new WorkflowEngineError('invalid-status', `instance '${id}' is ${r.status}: only finished instances can be purged`);
    await this.repo.remove(id, r.historyLength);
  }

  /** Runs an instance here if its lease can be had: after its timer, an operation, a restart or a dead replica. */
  async wake(id: string): Promise<void> {
    if (!this.o.runner || this.#closed) return;
    const held = this.#live.get(id);
    if (held) return held.live.pump();
    if (this.#settling.has(id)) {
      this.#settling.set(id, true);
      return;
    }
    if (this.#waking.has(id) || this.#live.size >= LIMITS.maxLiveInstances) return;
    this.#waking.add(id);
    try {
      if (!(await this.repo.acquireLease(id, this.o.replicaId, this.o.leaseMs))) return;
      const leaseUntil = Date.now() + this.o.leaseMs;
      const record = (await this.repo.getInstance(id))?.value;
      if (!record || FINISHED.has(record.status)) {
        if (record) await this.repo.setIndex(id, undefined);
        await this.repo.releaseLease(id, this.o.replicaId);
        return;
      }
      const machine = await this.#machine(record.definitionHash);
      const tail = await this.repo.historyTail(id, Math.min(record.historyLength, LIMITS.maxHistory));
      const live = new LiveInstance(record, machine, tail, this.#host);
      // Drained before the runner is visible: a wake meanwhile would pump it, find nothing to do and let it
      // go, and the operations drained after that would be applied to a runner that may no longer write.
      const ops = await this.repo.drainInbox(id);
      this.#live.set(id, { live, leaseUntil });
      this.#scheduler.delete(id);
      await live.apply(ops);
    } catch (err) {
      this.o.logger.warn({ instanceId: id, err: (err as Error).message }, 'workflow engine: could not resume an instance');
    } finally {
      this.#waking.delete(id);
    }
  }

  async #machine(hash: string): Promise<StateMachine> {
    let machine = this.#machines.get(hash);
    if (!machine) {
      const def = await this.repo.getDefinition(hash);
      if (!def) throw new Error(`the definition ${hash} of the instance is missing from the store`);
      machine = JSON.parse(def.text) as StateMachine;
      this.#machines.set(hash, machine);
    }
    return machine;
  }

  /** Wakes instances whose timers are due, a bounded number at once: the rest come back a moment later. */
  #timersDue(ids: string[]): void {
    ids.slice(0, WAKES_PER_SCAN).forEach((id) => void this.wake(id));
    const later = Date.now() + 250;
    for (const id of ids.slice(WAKES_PER_SCAN)) this.#scheduler.set(id, later);
  }

  /** Lets go of an instance with nothing to do: its next due time goes to the index and the scheduler. */
  async #idle(live: LiveInstance): Promise<void> {
    const id = live.id;
    if (this.#live.get(id)?.live !== live) return;
    this.#live.delete(id);
    this.#settling.set(id, false);
    try {
      const due = nextDue(live.record);
      await this.repo.setIndex(id, FINISHED.has(live.record.status) ? undefined : due ?? NO_DUE);
      await this.repo.releaseLease(id, this.o.replicaId);
      if (due !== null && due > 0) this.#scheduler.set(id, due);
      // An operation left in the inbox while letting go would otherwise wait for the next scan.
      const rewake = this.#settling.get(id) || (!FINISHED.has(live.record.status) && (await this.repo.hasInbox(id)));
      this.#settling.delete(id);
      if (!rewake) return;
      // The index entry written above may have overwritten the one the operation set: without this, a wake
      // that fails now (lease, room) would leave the operation waiting for a scan that skips the instance.
      await this.repo.setIndex(id, 0);
      await this.wake(id);
    } catch (err) {
      this.#settling.delete(id);
      this.o.logger.warn({ instanceId: id, err: (err as Error).message }, 'workflow engine: could not release an instance');
    }
  }

  #current(live: LiveInstance): boolean {
    return this.#live.get(live.id)?.live === live;
  }

  #drop(live: LiveInstance, why: string): void {
    live.stop();
    if (this.#current(live)) this.#live.delete(live.id);
    this.o.logger.warn({ instanceId: live.id, reason: why }, 'workflow engine: stopped running an instance here');
    // Operations it applied but did not commit go back to the inbox, for whoever runs the instance next.
    const ops = [...live.unsaved];
    if (ops.length > 0) void this.#requeue(live.id, ops).then(() => this.wake(live.id));
  }

  /** Leaves operations in the inbox and marks the instance due, so a scan (or a wake now) applies them. */
  async #requeue(id: string, ops: InboxOp[]): Promise<void> {
    try {
      for (const op of ops) await this.repo.pushInbox(id, op);
      await this.repo.setIndex(id, 0);
    } catch (err) {
      this.o.logger.warn({ instanceId: id, err: (err as Error).message }, 'workflow engine: could not hand operations on');
    }
  }

  /** Renews the leases of the instances running here and hands them the operations other replicas left. */
  async #renew(): Promise<void> {
    // One round at a time: two would race on the lease records and lose them to each other.
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      await this.#renewAll();
    } finally {
      this.#renewing = false;
    }
  }

  async #renewAll(): Promise<void> {
    for (const [id, entry] of [...this.#live]) {
      if (this.#closed) return;
      // Let go of (or resumed anew) since the round began: its lease and inbox are no longer this entry's.
      if (!this.#current(entry.live)) continue;
      const ok = await this.repo.acquireLease(id, this.o.replicaId, this.o.leaseMs).catch(() => false);
      if (!this.#current(entry.live)) continue;
      if (!ok) {
        this.#drop(entry.live, 'lease lost');
        continue;
      }
      entry.leaseUntil = Date.now() + this.o.leaseMs;
      const ops = await this.repo.drainInbox(id);
      if (ops.length === 0) continue;
      // Drained while the instance went idle: applied to a runner that no longer writes, they would be lost.
      if (this.#current(entry.live)) await entry.live.apply(ops);
      else await this.#requeue(id, ops).then(() => this.wake(id));
    }
  }

  /** Stops scanning and timers; waits (bounded) for instances to go idle, then lets the rest go for others to resume. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timers.forEach(clearInterval);
    this.#scheduler.close();
    for (let i = 0; i < 20 && [...this.#live.values()].some((e) => e.live.busy); i++) await new Promise((r) => setTimeout(r, 50));
    for (const [id, { live }] of [...this.#live]) {
      live.stop();
      this.#live.delete(id);
      await this.repo.releaseLease(id, this.o.replicaId).catch(() => undefined);
    }
    await this.repo.kv.close();
  }
}
