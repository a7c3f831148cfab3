import type { HistoryEvent, RuntimeStatus } from '../engine.js';

/** Where one line of execution stands: the root machine, a Parallel branch or a Map iteration. */
export interface Frame {
  id: number;
  /** The Parallel/Map frame this one runs under, with its branch or item index. */
  parent?: number;
  slot?: number;
  /** State-path prefix of the states it runs, e.g. `Fanout[2]/` (idempotency keys and history name them). */
  prefix: string;
  state: string;
  /** The raw input of the current state. */
  input: unknown;
  enteredAt: string;
  /** How often this frame entered the current state (loops make the idempotency key unique per visit). */
  visit: number;
  /** The visit count of each state this frame left. */
  visits?: Record<string, number>;
  phase: 'ready' | 'task' | 'event' | 'wait' | 'retry' | 'children';
  /** 1-based attempt of the current Task (idempotency keys count them). */
  attempt: number;
  /** Retries each Retrier of the state made so far. */
  retries: number[];
  /** Epoch ms: a Wait's end, a retry's next attempt, a Task's or event's timeout. */
  due?: number;
  /** The Task's effective input, kept so a task in flight at a crash runs again with the same input. */
  taskInput?: unknown;
  /** The event an `event:` task waits for. */
  event?: string;
  /** The Map iteration this frame runs: `$$.Map.Item`. */
  item?: { index: number; value: unknown };
  /** A Parallel's or Map's children: results so far and what is left. */
  children?: {
    results: unknown[];
    remaining: number;
    /** Map only: its effective input, the items and the next one to start, the concurrency limit and the failures tolerated. */
    mapInput?: unknown;
    items?: unknown[];
    next?: number;
    limit?: number;
    failed?: number;
    tolerance?: { count?: number; percentage?: number };
  };
}

export interface KeptEvent {
  name: string;
  data: unknown;
}

/** Everything about one instance but its history: written as one record after every transition. */
export interface InstanceRecord {
  v: 1;
  id: string;
  workflow: string;
  /** The definition it runs on (a record of its own, by hash): a hot-reloaded definition does not change it. */
  definitionHash: string;
  status: RuntimeStatus;
  createdAt: string;
  updatedAt: string;
  /** Which execution of this id it is, when a start replaced a finished one (2, 3…): it sets its idempotency keys apart. */
  run?: number;
  input: unknown;
  output?: unknown;
  failure?: { errorType: string; errorMessage: string };
  frames: Frame[];
  nextFrameId: number;
  /** Events raised before a state waited for them, oldest first. */
  events: KeptEvent[];
  /** State entries so far (bounded). */
  steps: number;
  historyLength: number;
  /** Epoch ms: the workflow's own TimeoutSeconds. */
  deadline?: number;
}

export const FINISHED: ReadonlySet<RuntimeStatus> = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);

/** A history event as stored: timestamps as epoch ms. */
export type StoredEvent = Omit<HistoryEvent, 'seq' | 'timestamp'> & { t: number };

/** Operations another replica (or this one, for an instance it does not hold) leaves for the holder. */
export type InboxOp =
  | { op: 'raise'; name: string; data: unknown }
  | { op: 'terminate'; output?: unknown }
  | { op: 'pause'; reason?: string }
  | { op: 'resume'; reason?: string };

/** The earliest time an instance needs running again: now (0), at a time, or never by itself (`null`: waits for an event). */
export function nextDue(record: InstanceRecord): number | null {
  if (FINISHED.has(record.status)) return null;
  if (record.status === 'SUSPENDED') return null;
  let due: number | null = record.deadline ?? null;
  for (const f of record.frames) {
    if (f.phase === 'ready' || f.phase === 'task') return 0;
    if (f.due !== undefined) due = due === null ? f.due : Math.min(due, f.due);
  }
  return due;
}

/** The earliest due time of the instance's timers (Waits, retries, Task and event timeouts, its own deadline). */
export function earliestTimer(record: InstanceRecord): number | undefined {
  const dues = record.frames.flatMap((f) => (f.due === undefined ? [] : [f.due]));
  if (record.deadline !== undefined) dues.push(record.deadline);
  return dues.length > 0 ? Math.min(...dues) : undefined;
}
