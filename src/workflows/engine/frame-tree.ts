import { enterState, withMapItem, type ContextObject } from '../asl/context.js';
import { AslError, StatesError } from '../asl/errors.js';
import { mapProcessor } from '../asl/map.js';
import type { MapState, State, StateMachine } from '../asl/types.js';
import type { Frame, InstanceRecord } from './instance-record.js';

/** The state's path in the instance: branch/item prefix, name, and `#n` from its second visit on. */
export function statePath(frame: Frame): string {
  return `${frame.prefix}${frame.state}${frame.visit > 1 ? `#${frame.visit}` : ''}`;
}

/**
 * The idempotency key of a Task attempt: `<instance id>/<state path>/<attempt>`; a later execution of a
 * reused id says which it is (`<instance id>@<run>/…`; `@` is never part of an instance id).
 */
export function idempotencyKey(rec: Pick<InstanceRecord, 'id' | 'run'>, frame: Frame): string {
  const execution = rec.run !== undefined && rec.run > 1 ? `${rec.id}@${rec.run}` : rec.id;
  return `${execution}/${statePath(frame)}/${frame.attempt}`;
}

/**
 * The frames of an instance as a tree: a child frame runs a Parallel branch or a Map iteration of its
 * parent's state, so its machine, its `$$.Map.Item` and its context come from its ancestors.
 */
export class FrameTree {
  constructor(
    private readonly rec: InstanceRecord,
    private readonly machine: StateMachine,
  ) {}

  get(id: number): Frame {
    const f = this.rec.frames.find((x) => x.id === id);
    if (!f) throw new AslError(StatesError.Runtime, `frame ${id} is gone`);
    return f;
  }

  stateOf(frame: Frame): State {
    const state = this.#machineOf(frame).States[frame.state];
    if (!state) throw new AslError(StatesError.Runtime, `no state named "${frame.state}"`);
    return state;
  }

  context(frame: Frame): ContextObject {
    const base: ContextObject = {
      Execution: { Id: this.rec.id, Input: this.rec.input, Name: this.rec.id, StartTime: this.rec.createdAt },
      StateMachine: { Id: this.rec.workflow, Name: this.rec.workflow },
      State: { EnteredTime: frame.enteredAt, Name: frame.state, RetryCount: 0 },
    };
    const ctx = enterState(base, frame.state, new Date(frame.enteredAt), frame.retries.reduce((a, b) => a + b, 0));
    const item = this.#itemOf(frame);
    return item ? withMapItem(ctx, item.index, item.value) : ctx;
  }

  /** A new child frame (a branch or an iteration) entering `startAt`; a retried parent's children get new paths. */
  spawn(parent: Frame, slot: number, startAt: string, input: unknown, now: number): Frame {
    const retried = parent.retries.reduce((a, b) => a + b, 0);
    const child: Frame = {
      id: this.rec.nextFrameId++,
      parent: parent.id,
      slot,
      prefix: `${statePath(parent)}${retried > 0 ? `@${retried + 1}` : ''}[${slot}]/`,
      state: startAt,
      input,
      enteredAt: new Date(now).toISOString(),
      visit: 1,
      phase: 'ready',
      attempt: 1,
      retries: [],
    };
    this.rec.frames.push(child);
    return child;
  }

  childCount(parent: Frame): number {
    return this.rec.frames.filter((f) => f.parent === parent.id).length;
  }

  /** Removes a frame and everything under it (their calls in flight are ignored when they answer). */
  remove(frame: Frame): void {
    this.removeChildren(frame);
    this.rec.frames = this.rec.frames.filter((f) => f !== frame);
  }

  removeChildren(frame: Frame): void {
    for (const child of this.rec.frames.filter((f) => f.parent === frame.id)) this.remove(child);
  }

  #machineOf(frame: Frame): StateMachine {
    if (frame.parent === undefined) return this.machine;
    const state = this.stateOf(this.get(frame.parent));
    if (state.Type === 'Parallel') return state.Branches[frame.slot!];
    return mapProcessor(state as MapState);
  }

  #itemOf(frame: Frame): Frame['item'] {
    for (let f: Frame | undefined = frame; f; f = f.parent === undefined ? undefined : this.get(f.parent)) if (f.item) return f.item;
    return undefined;
  }
}
