import { AslError, StatesError } from './errors.js';
import { looksLikeIntrinsic } from './intrinsics/parser.js';
import { evaluateIntrinsic, type IntrinsicEnv } from './intrinsics/functions.js';
import { evaluatePath } from './paths.js';
import type { ContextObject } from './context.js';
import type { FailState } from './types.js';

/**
 * The error a Fail state ends the execution with (spec: "Fail State"): Error and Cause as written, or
 * read from the state input by ErrorPath and CausePath (a path or an intrinsic function). A Fail
 * without Error or Cause leaves that part empty.
 */
export function failOutcome(state: FailState, input: unknown, ctx?: ContextObject, env: IntrinsicEnv = {}): AslError {
  const error = state.Error ?? dynamic(state.ErrorPath, 'ErrorPath', input, ctx, env) ?? '';
  const cause = state.Cause ?? dynamic(state.CausePath, 'CausePath', input, ctx, env) ?? '';
  return new AslError(error, cause);
}

function dynamic(path: string | undefined, field: string, input: unknown, ctx: ContextObject | undefined, env: IntrinsicEnv): string | undefined {
  if (path === undefined) return undefined;
  const value = looksLikeIntrinsic(path) ? evaluateIntrinsic(path, input, ctx, env) : evaluatePath(path, input, ctx);
  if (typeof value !== 'string') {
    throw new AslError(StatesError.Runtime, `the Fail state's ${field} "${path}" must select a string, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return value;
}
