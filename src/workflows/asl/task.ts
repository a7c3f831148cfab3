import { AslError, StatesError } from './errors.js';
import { evaluatePath } from './paths.js';
import type { ContextObject } from './context.js';
import type { TaskState } from './types.js';

/**
 * A Task's time limits (spec: "Task State"): TimeoutSeconds (default 60 in the spec) or
 * TimeoutSecondsPath, and HeartbeatSeconds or HeartbeatSecondsPath, read from the effective input.
 * The executor raises States.Timeout and States.HeartbeatTimeout itself when they pass.
 */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

export function taskTimeouts(state: TaskState, input: unknown, ctx?: ContextObject): { timeoutSeconds: number; heartbeatSeconds?: number } {
  const timeoutSeconds =
    state.TimeoutSecondsPath !== undefined ? readSeconds(state.TimeoutSecondsPath, input, ctx, 'TimeoutSecondsPath') : state.TimeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
  const heartbeatSeconds =
    state.HeartbeatSecondsPath !== undefined ? readSeconds(state.HeartbeatSecondsPath, input, ctx, 'HeartbeatSecondsPath') : state.HeartbeatSeconds;
  if (heartbeatSeconds !== undefined && heartbeatSeconds >= timeoutSeconds) {
    throw new AslError(StatesError.Runtime, `the Task's heartbeat (${heartbeatSeconds} s) must be shorter than its timeout (${timeoutSeconds} s)`);
  }
  return heartbeatSeconds === undefined ? { timeoutSeconds } : { timeoutSeconds, heartbeatSeconds };
}

function readSeconds(path: string, input: unknown, ctx: ContextObject | undefined, field: string): number {
  const value = evaluatePath(path, input, ctx);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new AslError(StatesError.Runtime, `the Task's ${field} "${path}" must select a positive integer, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return value;
}
