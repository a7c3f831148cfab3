import { randomUUID } from 'node:crypto';
import { evaluateChoice } from '../asl/choice.js';
import type { ContextObject } from '../asl/context.js';
import { AslError, StatesError, asAslError } from '../asl/errors.js';
import { failOutcome } from '../asl/fail.js';
import type { IntrinsicEnv } from '../asl/intrinsics/functions.js';
import { effectiveInput, passResult, stateOutput } from '../asl/io.js';
import { exceedsFailureTolerance, mapFailureTolerance, mapItemInput, mapItems, mapMaxConcurrency, mapProcessor, toleranceExceeded } from '../asl/map.js';
import { findCatcher, retryDelay } from '../asl/retry.js';
import { taskTimeouts } from '../asl/task.js';
import type { MapState, ParallelState, State, StateMachine, TaskState } from '../asl/types.js';
import { waitUntil } from '../asl/wait.js';
import { FrameTree, idempotencyKey, statePath } from './frame-tree.js';
import type { Frame, InstanceRecord, InboxOp, StoredEvent } from './instance-record.js';
import { LIMITS } from './limits.js';

/** The sources of States.UUID and States.MathRandom: a value is drawn when its state runs, and persisted with the state's output. */
const INTRINSIC_ENV: IntrinsicEnv = { random: Math.random, uuid: randomUUID };

/** Task calls in flight: frame id → the idempotency key of the attempt. */
export type Inflight = ReadonlyMap<number, string>;

/** What the executor needs from its surroundings: a clock, history, and a way to start a Task once persisted. */
export interface ExecutorHost {
  now(): number;
  record(event: Omit<StoredEvent, 't'>): void;
  /** Starts the frame's Task after the next commit. */
  launch(frame: Frame): void;
}

/**
 * Runs the states of one instance on its record: every change is a mutation of the record plus history
 * events; Tasks are handed to the host to start once that is persisted. Pure with respect to I/O.
 */
export class Executor {
  readonly #tree: FrameTree;

  constructor(
    private readonly rec: InstanceRecord,
    machine: StateMachine,
    private readonly host: ExecutorHost,
  ) {
    this.#tree = new FrameTree(rec, machine);
  }

  /** A frame the executor can move now, if any (suspended instances move none). */
  runnable(inflight: Inflight): Frame | undefined {
    if (this.rec.status !== 'RUNNING') return undefined;
    const now = this.host.now();
    return this.rec.frames.find(
      (f) => f.phase === 'ready' || (f.phase === 'task' && !this.#running(f, inflight)) || (f.due !== undefined && f.due <= now && f.phase !== 'children'),
    );
  }

  step(frame: Frame, inflight: Inflight): void {
    const now = this.host.now();
    if (frame.phase === 'ready') return this.#enter(frame);
    if (frame.phase === 'task' && !this.#running(frame, inflight) && (frame.due === undefined || frame.due > now)) return this.host.launch(frame);
    if (frame.phase === 'wait') {
      this.host.record({ type: 'TimerFired', state: statePath(frame) });
      return this.#guard(frame, () => {
        const state = this.stateOf(frame);
        const ctx = this.context(frame);
        this.#advance(frame, state, stateOutput(state, frame.input, effectiveInput(state, frame.input, ctx, INTRINSIC_ENV), ctx, INTRINSIC_ENV));
      });
    }
    if (frame.phase === 'retry') {
      if (this.stateOf(frame).Type === 'Task') frame.attempt += 1;
      this.host.record({ type: 'TimerFired', state: statePath(frame), details: { retry: true } });
      return this.#enter(frame);
    }
    if (frame.phase === 'task' || frame.phase === 'event') {
      return this.fail(frame, new AslError(StatesError.Timeout, `${statePath(frame)} did not finish within its TimeoutSeconds`));
    }
  }

  /** Whether the frame's current Task attempt is in flight (a timed-out earlier call may still be). */
  #running(frame: Frame, inflight: Inflight): boolean {
    return inflight.get(frame.id) === idempotencyKey(this.rec, frame);
  }

  /** The result of a Task attempt (named by its key), ignored when the frame has moved on (timeout, termination, a failed sibling). */
  taskDone(frameId: number, key: string, outcome: { result: unknown } | { error: AslError }): void {
    const frame = this.rec.frames.find((f) => f.id === frameId);
    if (!frame || frame.phase !== 'task' || idempotencyKey(this.rec, frame) !== key || this.#finished()) return;
    const attempt = frame.attempt;
    if ('error' in outcome) {
      this.host.record({ type: 'TaskFailed', state: statePath(frame), details: { error: outcome.error.error, cause: outcome.error.cause, attempt } });
      return this.fail(frame, outcome.error);
    }
    this.host.record({ type: 'TaskSucceeded', state: statePath(frame), details: { attempt } });
    this.#complete(frame, outcome.result);
  }

  /** A management operation, applied to the record. */
  apply(op: InboxOp): void {
    if (this.#finished()) return;
    // An event raised without data is JSON null to the state that takes it.
    if (op.op === 'raise') return this.#raise(op.name, op.data ?? null);
    if (op.op === 'terminate') {
      this.rec.status = 'TERMINATED';
      this.rec.output = op.output;
      this.rec.frames = [];
      return this.host.record({ type: 'ExecutionTerminated', details: op.output === undefined ? undefined : { output: op.output } });
    }
    if (op.op === 'pause' && this.rec.status === 'RUNNING') {
      this.rec.status = 'SUSPENDED';
      return this.host.record({ type: 'ExecutionSuspended', details: op.reason ? { reason: op.reason } : undefined });
    }
    if (op.op === 'resume' && this.rec.status === 'SUSPENDED') {
      this.rec.status = 'RUNNING';
      this.host.record({ type: 'ExecutionResumed', details: op.reason ? { reason: op.reason } : undefined });
      // Events raised while suspended were kept: the states waiting for them take them now.
      for (const frame of this.rec.frames.filter((f) => f.phase === 'event')) {
        const kept = this.rec.events.findIndex((e) => e.name === frame.event);
        if (kept >= 0) this.#complete(frame, this.rec.events.splice(kept, 1)[0].data);
      }
    }
  }

  /** The workflow's own TimeoutSeconds ran out. */
  timeOut(): void {
    if (this.#finished()) return;
    this.#failExecution(new AslError(StatesError.Timeout, 'the execution did not finish within the workflow TimeoutSeconds'));
  }

  stateOf(frame: Frame): State {
    return this.#tree.stateOf(frame);
  }

  context(frame: Frame): ContextObject {
    return this.#tree.context(frame);
  }

  #finished(): boolean {
    return this.rec.status !== 'RUNNING' && this.rec.status !== 'SUSPENDED';
  }

  #guard(frame: Frame, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.fail(frame, asAslError(err));
    }
  }

  #enter(frame: Frame): void {
    this.#guard(frame, () => {
      const state = this.stateOf(frame);
      const ctx = this.context(frame);
      frame.due = undefined;
      switch (state.Type) {
        case 'Pass':
          return this.#advance(frame, state, stateOutput(state, frame.input, passResult(state, frame.input, ctx, INTRINSIC_ENV), ctx, INTRINSIC_ENV));
        case 'Choice': {
          const input = effectiveInput(state, frame.input, ctx, INTRINSIC_ENV);
          const next = evaluateChoice(state, input, ctx);
          return this.#goto(frame, next, stateOutput(state, frame.input, input, ctx, INTRINSIC_ENV));
        }
        case 'Succeed':
          return this.#finish(frame, stateOutput(state, frame.input, effectiveInput(state, frame.input, ctx, INTRINSIC_ENV), ctx, INTRINSIC_ENV));
        case 'Fail':
          return this.fail(frame, failOutcome(state, frame.input, ctx, INTRINSIC_ENV));
        case 'Wait': {
          frame.phase = 'wait';
          frame.due = waitUntil(state, effectiveInput(state, frame.input, ctx, INTRINSIC_ENV), new Date(frame.enteredAt), ctx).getTime();
          return this.host.record({ type: 'TimerCreated', state: statePath(frame), details: { fireAt: new Date(frame.due).toISOString() } });
        }
        case 'Task':
          return this.#startTask(frame, state, effectiveInput(state, frame.input, ctx, INTRINSIC_ENV), ctx);
        case 'Parallel':
          return this.#startParallel(frame, state, effectiveInput(state, frame.input, ctx, INTRINSIC_ENV));
        case 'Map':
          return this.#startMap(frame, state, effectiveInput(state, frame.input, ctx, INTRINSIC_ENV), ctx);
      }
    });
  }

  #startTask(frame: Frame, state: TaskState, input: unknown, ctx: ContextObject): void {
    // The spec's 60 s default applies to calls; an event wait (an approval, say) waits as long as it is told to, or for ever.
    const waitsForEvent = state.Resource.startsWith('event:');
    const limited = !waitsForEvent || state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined;
    frame.due = limited ? this.host.now() + taskTimeouts(state, input, ctx).timeoutSeconds * 1000 : undefined;
    frame.taskInput = input;
    if (waitsForEvent) {
      const name = state.Resource.slice('event:'.length);
      const kept = this.rec.events.findIndex((e) => e.name === name);
      frame.phase = 'event';
      frame.event = name;
      if (kept < 0) return this.host.record({ type: 'TimerCreated', state: statePath(frame), details: { event: name, ...(frame.due ? { timeoutAt: new Date(frame.due).toISOString() } : {}) } });
      const [event] = this.rec.events.splice(kept, 1);
      return this.#complete(frame, event.data);
    }
    frame.phase = 'task';
    this.host.record({ type: 'TaskScheduled', state: statePath(frame), details: { resource: state.Resource, attempt: frame.attempt, idempotencyKey: idempotencyKey(this.rec, frame) } });
    this.host.launch(frame);
  }

  #startParallel(frame: Frame, state: ParallelState, input: unknown): void {
    frame.phase = 'children';
    frame.children = { results: new Array(state.Branches.length).fill(null), remaining: state.Branches.length };
    state.Branches.forEach((branch, i) => this.#spawn(frame, i, branch.StartAt, input));
    if (state.Branches.length === 0) this.#childrenDone(frame);
  }

  #startMap(frame: Frame, state: MapState, input: unknown, ctx: ContextObject): void {
    const items = mapItems(state, input, ctx);
    if (items.length > LIMITS.maxMapItems) throw new AslError(StatesError.Runtime, `a Map state iterates at most ${LIMITS.maxMapItems} items, got ${items.length}`);
    const limit = mapMaxConcurrency(state, input, ctx) || LIMITS.unboundedMapConcurrency;
    const tolerance = mapFailureTolerance(state, input, ctx);
    mapProcessor(state);
    frame.phase = 'children';
    frame.children = {
      results: new Array(items.length).fill(null),
      remaining: items.length,
      mapInput: input,
      items,
      next: 0,
      limit: Math.min(limit, LIMITS.unboundedMapConcurrency),
      failed: 0,
      tolerance,
    };
    this.#spawnItems(frame);
    if (items.length === 0) this.#childrenDone(frame);
  }

  /** Starts iterations up to MaxConcurrency; an ItemSelector error fails the Map. */
  #spawnItems(frame: Frame): void {
    const c = frame.children!;
    const state = this.stateOf(frame) as MapState;
    const ctx = this.context(frame);
    const running = this.#tree.childCount(frame);
    for (let n = running; n < c.limit! && c.next! < c.items!.length; n++) {
      const i = c.next!++;
      const value = c.items![i];
      const child = this.#spawn(frame, i, mapProcessor(state).StartAt, mapItemInput(state, c.mapInput, value, i, ctx, INTRINSIC_ENV));
      child.item = { index: i, value };
    }
  }

  #spawn(parent: Frame, slot: number, startAt: string, input: unknown): Frame {
    const child = this.#tree.spawn(parent, slot, startAt, input, this.host.now());
    this.#entered(child);
    return child;
  }

  #entered(frame: Frame): void {
    this.rec.steps += 1;
    this.host.record({ type: 'StateEntered', state: statePath(frame) });
    if (this.rec.steps > LIMITS.maxSteps) throw new AslError(StatesError.Runtime, `more than ${LIMITS.maxSteps} state transitions`);
  }

  #complete(frame: Frame, result: unknown): void {
    this.#guard(frame, () => {
      const state = this.stateOf(frame);
      this.#advance(frame, state, stateOutput(state, frame.input, result, this.context(frame), INTRINSIC_ENV));
    });
  }

  #advance(frame: Frame, state: State, output: unknown): void {
    if (state.Type === 'Succeed' || ('End' in state && state.End)) return this.#finish(frame, output);
    this.#goto(frame, (state as { Next: string }).Next, output);
  }

  #goto(frame: Frame, next: string, output: unknown): void {
    this.host.record({ type: 'StateExited', state: statePath(frame) });
    const visits = frame.visits ?? {};
    visits[frame.state] = frame.visit;
    Object.assign(frame, {
      state: next,
      input: output,
      enteredAt: new Date(this.host.now()).toISOString(),
      visit: (visits[next] ?? 0) + 1,
      phase: 'ready',
      attempt: 1,
      retries: [],
      due: undefined,
      taskInput: undefined,
      event: undefined,
      children: undefined,
      visits,
    });
    this.#guard(frame, () => this.#entered(frame));
  }

  #finish(frame: Frame, output: unknown): void {
    this.host.record({ type: 'StateExited', state: statePath(frame) });
    if (frame.parent === undefined) {
      this.rec.status = 'COMPLETED';
      this.rec.output = output;
      this.rec.frames = [];
      return this.host.record({ type: 'ExecutionCompleted' });
    }
    const parent = this.#tree.get(frame.parent);
    this.#tree.remove(frame);
    parent.children!.results[frame.slot!] = output;
    this.#childSettled(parent);
  }

  /** An error in a state: Retry, then Catch (Task, Parallel, Map), else it fails the branch, the iteration or the execution. */
  fail(frame: Frame, error: AslError): void {
    if (this.#finished() || !this.rec.frames.includes(frame)) return;
    let state: State | undefined;
    try {
      state = this.stateOf(frame);
    } catch {
      state = undefined;
    }
    if (state && (state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map')) {
      this.#tree.removeChildren(frame);
      const retry = retryDelay(state.Retry, error, frame.retries, Math.random);
      if (retry) {
        frame.retries[retry.retrier] = (frame.retries[retry.retrier] ?? 0) + 1;
        frame.phase = 'retry';
        frame.due = this.host.now() + retry.delayMs;
        frame.children = undefined;
        return this.host.record({ type: 'TaskRetryScheduled', state: statePath(frame), details: { error: error.error, cause: error.cause, delayMs: retry.delayMs, attempt: frame.attempt } });
      }
      const catcher = findCatcher(state.Catch, error);
      if (catcher) return this.#goto(frame, catcher.next, catcher.output(frame.input));
    }
    this.host.record({ type: 'StateExited', state: statePath(frame), details: { error: error.error, cause: error.cause } });
    if (frame.parent === undefined) return this.#failExecution(error);
    const parent = this.#tree.get(frame.parent);
    this.#tree.remove(frame);
    const c = parent.children!;
    const tolerated = this.stateOf(parent).Type === 'Map' && (c.tolerance?.count !== undefined || c.tolerance?.percentage !== undefined);
    if (!tolerated) return this.fail(parent, error);
    c.failed = (c.failed ?? 0) + 1;
    c.results[frame.slot!] = error.toOutput();
    if (exceedsFailureTolerance(c.tolerance!, c.failed, c.results.length)) return this.fail(parent, toleranceExceeded(c.tolerance!, c.failed, c.results.length));
    this.#childSettled(parent);
  }

  #childSettled(parent: Frame): void {
    const c = parent.children!;
    c.remaining -= 1;
    if (c.items) {
      try {
        this.#spawnItems(parent);
      } catch (err) {
        return this.fail(parent, asAslError(err));
      }
    }
    if (c.remaining === 0) this.#childrenDone(parent);
  }

  #childrenDone(parent: Frame): void {
    const results = parent.children!.results;
    this.#complete(parent, results);
  }

  #failExecution(error: AslError): void {
    this.rec.status = 'FAILED';
    this.rec.failure = { errorType: error.error, errorMessage: error.cause };
    this.rec.frames = [];
    this.host.record({ type: 'ExecutionFailed', details: { error: error.error, cause: error.cause } });
  }

  #raise(name: string, data: unknown): void {
    const waiting = this.rec.status === 'RUNNING' ? this.rec.frames.find((f) => f.phase === 'event' && f.event === name) : undefined;
    this.host.record({ type: 'EventRaised', state: waiting ? statePath(waiting) : undefined, details: { name } });
    if (!waiting) {
      this.rec.events.push({ name, data });
      if (this.rec.events.length > LIMITS.maxKeptEvents) this.rec.events.shift();
      return;
    }
    this.#complete(waiting, data);
  }
}
