import { AslError, StatesError } from './errors.js';
import { applyResultPath } from './io.js';
import type { ContextObject } from './context.js';
import type { Catcher, Retrier } from './types.js';

/**
 * Retry and Catch (spec: "Error Handling"). Both scan their list in order and act on the first entry
 * whose ErrorEquals names the error: a Retrier whose attempts are used up does not pass the error on
 * to a later Retrier, it ends retrying.
 */

/** Whether an ErrorEquals list names `error`: exactly, through States.ALL, or through States.TaskFailed (never States.Timeout). */
export function errorMatches(errorEquals: readonly string[], error: string): boolean {
  return errorEquals.some(
    (name) => name === error || name === StatesError.ALL || (name === StatesError.TaskFailed && error !== StatesError.Timeout),
  );
}

export const RETRY_DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2.0 } as const;

/**
 * The wait before the next attempt, or undefined when the error is not retried.
 * `attempts[i]` is how many retries retrier `i` has already made in this state; the executor
 * increments `attempts[result.retrier]` after waiting. The delay is
 * IntervalSeconds × BackoffRate^attempts, capped at MaxDelaySeconds; FULL jitter scales it by `random()`.
 */
export function retryDelay(
  retriers: readonly Retrier[] | undefined,
  error: AslError,
  attempts: readonly number[],
  random: () => number,
): { retrier: number; delayMs: number } | undefined {
  const index = (retriers ?? []).findIndex((r) => errorMatches(r.ErrorEquals, error.error));
  if (index < 0) return undefined;
  const retrier = retriers![index];
  const done = attempts[index] ?? 0;
  if (done >= (retrier.MaxAttempts ?? RETRY_DEFAULTS.MaxAttempts)) return undefined;
  let seconds = (retrier.IntervalSeconds ?? RETRY_DEFAULTS.IntervalSeconds) * (retrier.BackoffRate ?? RETRY_DEFAULTS.BackoffRate) ** done;
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds *= random();
  return { retrier: index, delayMs: Math.round(seconds * 1000) };
}

/**
 * The Catcher for an error, if any: where to go and the output to go there with, which is the raw
 * state input with `{Error, Cause}` placed at the Catcher's ResultPath (absent: the whole output).
 */
export function findCatcher(
  catchers: readonly Catcher[] | undefined,
  error: AslError,
): { next: string; output(rawInput: unknown, ctx?: ContextObject): unknown } | undefined {
  const catcher = (catchers ?? []).find((c) => errorMatches(c.ErrorEquals, error.error));
  if (catcher === undefined) return undefined;
  return {
    next: catcher.Next,
    output: (rawInput) => applyResultPath(catcher.ResultPath, rawInput, error.toOutput()),
  };
}
