import type { Logger } from 'pino';
import { asAslError } from '../asl/errors.js';
import type { StateMachine } from '../asl/types.js';
import type { InstanceRepo } from '../store/instance-repo.js';
import type { TaskRunner } from '../tasks/task-runner.js';
import { Executor } from './executor.js';
import { idempotencyKey } from './frame-tree.js';
import { FINISHED, earliestTimer, type Frame, type InboxOp, type InstanceRecord, type StoredEvent } from './instance-record.js';
import { LIMITS } from './limits.js';

export interface LiveHost {
  repo: InstanceRepo;
  runTask: TaskRunner;
  logger: Logger;
  /** Whether this is the instance's current runner here and holds its lease with margin: nothing is written or started without it. */
  holds(live: LiveInstance): boolean;
  /** The instance has nothing to do until a due time, an event or an operation: the host lets it go. */
  idle(live: LiveInstance): void;
  /** The instance waits for calls in flight, and has a timer (a Task timeout) to be woken for meanwhile. */
  remind(live: LiveInstance, due: number): void;
  /** The instance lost its lease or its store failed: stop without writing (operations not yet committed go back to the inbox). */
  drop(live: LiveInstance, why: string): void;
}

/** Steps taken between commits when frames keep being ready (long Pass/Choice loops). */
const STEPS_PER_COMMIT = 200;

/**
 * One instance this replica runs: its record in memory, its executor, Tasks in flight. Every transition is
 * committed (history, then the record) before the Tasks it schedules start, so a crash repeats at most the
 * Tasks in flight, with the same idempotency keys.
 */
export class LiveInstance {
  readonly executor: Executor;
  /** Task calls in flight: frame id → idempotency key of the attempt. */
  readonly inflight = new Map<number, string>();
  #pending: StoredEvent[] = [];
  /** Operations applied in memory since the last committed record: lost with it unless handed on. */
  #unsaved: InboxOp[] = [];
  #launches: Frame[] = [];
  #pumping = false;
  #again = false;
  #dirty = false;
  #stopped = false;

  constructor(
    readonly record: InstanceRecord,
    machine: StateMachine,
    private tail: StoredEvent[],
    private readonly host: LiveHost,
  ) {
    this.executor = new Executor(record, machine, {
      now: () => Date.now(),
      record: (e) => this.#record(e),
      launch: (f) => {
        // In flight from now on, so the executor does not pick the frame again before it starts.
        this.inflight.set(f.id, idempotencyKey(this.record, f));
        this.#launches.push(f);
      },
    });
  }

  get id(): string {
    return this.record.id;
  }

  get busy(): boolean {
    return this.#pumping || this.inflight.size > 0;
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Operations applied but not yet in a committed record: whoever runs the instance next must apply them again. */
  get unsaved(): readonly InboxOp[] {
    return this.#unsaved;
  }

  apply(ops: InboxOp[]): Promise<void> {
    for (const op of ops) this.executor.apply(op);
    this.#unsaved.push(...ops);
    if (ops.length > 0) this.#dirty = true;
    return this.pump();
  }

  /** Moves every frame that can move, commits, starts the Tasks scheduled; repeats while there is work. */
  async pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        if (this.#stopped) return;
        if (this.record.deadline !== undefined && this.record.deadline <= Date.now()) this.executor.timeOut();
        for (let n = 0; n < STEPS_PER_COMMIT; n++) {
          const frame = this.executor.runnable(this.inflight);
          if (!frame) break;
          this.executor.step(frame, this.inflight);
          if (n === STEPS_PER_COMMIT - 1) this.#again = true;
        }
        if (this.#dirty || this.#pending.length > 0) await this.#commit();
        if (this.#stopped) return;
        const launches = this.#launches;
        this.#launches = [];
        for (const frame of launches) this.#launch(frame);
      } while (this.#again);
    } catch (err) {
      this.host.drop(this, (err as Error).message);
      return;
    } finally {
      this.#pumping = false;
    }
    if (this.#stopped) return;
    if (!this.busy) return this.host.idle(this);
    const due = earliestTimer(this.record);
    if (due !== undefined) this.host.remind(this, due);
  }

  #record(e: Omit<StoredEvent, 't'>): void {
    this.#dirty = true;
    this.#pending.push({ ...e, t: Date.now() });
  }

  async #commit(): Promise<void> {
    if (!this.host.holds(this)) throw new Error('lease lost');
    const events = this.#pending;
    this.#pending = [];
    this.#dirty = false;
    const r = this.record;
    const room = Math.max(0, LIMITS.maxHistory - Math.min(r.historyLength, LIMITS.maxHistory));
    if (room > 0 && events.length > 0) this.tail = await this.host.repo.appendHistory(r.id, r.historyLength, this.tail, events.slice(0, room));
    r.historyLength += events.length;
    r.updatedAt = new Date().toISOString();
    const saved = this.#unsaved.length;
    await this.host.repo.putInstance(r);
    this.#unsaved.splice(0, saved);
  }

  #launch(frame: Frame): void {
    const state = this.executor.stateOf(frame);
    const key = idempotencyKey(this.record, frame);
    const settle = () => this.inflight.get(frame.id) === key && this.inflight.delete(frame.id);
    if (FINISHED.has(this.record.status) || state.Type !== 'Task' || !this.record.frames.includes(frame)) {
      settle();
      return;
    }
    if (!this.host.holds(this)) return this.host.drop(this, 'lease lost');
    const call = { resource: state.Resource, input: frame.taskInput, idempotencyKey: key };
    this.host
      .runTask(call)
      .then(
        (result) => ({ result }),
        (err: unknown) => ({ error: asAslError(err) }),
      )
      .then((outcome) => {
        settle();
        if (this.#stopped) return;
        this.executor.taskDone(frame.id, key, outcome);
        void this.pump();
      });
  }
}
