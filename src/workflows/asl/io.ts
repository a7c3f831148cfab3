import { StatesError } from './errors.js';
import { payloadTemplate } from './templates.js';
import { selectPath, writeReferencePath } from './paths.js';
import type { IntrinsicEnv } from './intrinsics/functions.js';
import type { ContextObject } from './context.js';
import type { PassState, State } from './types.js';

/**
 * Input and output processing (spec: "Input and Output Processing"): raw input → InputPath →
 * Parameters → effective input; result → ResultSelector → ResultPath (against the raw input) →
 * OutputPath → state output. A path that matches nothing here is States.Runtime, as in the spec's
 * interpreter; inside a template it is States.ParameterPathFailure.
 */

/** InputPath then Parameters. A Map's Parameters is its legacy per-item selector, so it is not applied here. */
export function effectiveInput(state: State, rawInput: unknown, ctx?: ContextObject, env: IntrinsicEnv = {}): unknown {
  if (state.Type === 'Fail') return rawInput;
  const selected = applyPath(state.InputPath, rawInput, ctx, 'InputPath');
  if ((state.Type === 'Task' || state.Type === 'Pass' || state.Type === 'Parallel') && state.Parameters !== undefined) {
    return payloadTemplate(state.Parameters, selected, ctx, env);
  }
  return selected;
}

/** What a Pass state produces before ResultPath: its Result, else its effective input. */
export function passResult(state: PassState, rawInput: unknown, ctx?: ContextObject, env: IntrinsicEnv = {}): unknown {
  return state.Result !== undefined ? structuredClone(state.Result) : effectiveInput(state, rawInput, ctx, env);
}

/**
 * The state's output from its raw input and its result (a Task's result, a Pass's `passResult`, a
 * Parallel's or Map's array of branch/iteration outputs). Choice, Wait and Succeed have no result:
 * pass their effective input as `result` and only OutputPath applies.
 */
export function stateOutput(state: State, rawInput: unknown, result: unknown, ctx?: ContextObject, env: IntrinsicEnv = {}): unknown {
  if (state.Type === 'Fail') return undefined;
  let output = result;
  if (state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map' || state.Type === 'Pass') {
    let selected = result;
    if (state.Type !== 'Pass' && state.ResultSelector !== undefined) selected = payloadTemplate(state.ResultSelector, result, ctx, env);
    output = applyResultPath(state.ResultPath, rawInput, selected);
  }
  return applyPath(state.OutputPath, output, ctx, 'OutputPath');
}

/** ResultPath: absent means `$` (the result replaces the input), null keeps the raw input and discards the result. */
export function applyResultPath(resultPath: string | null | undefined, rawInput: unknown, result: unknown): unknown {
  if (resultPath === undefined) return result;
  if (resultPath === null) return rawInput;
  return writeReferencePath(rawInput, resultPath, result);
}

/** InputPath/OutputPath: absent means `$`, null means an empty object (spec: "Filters"). */
function applyPath(path: string | null | undefined, data: unknown, ctx: ContextObject | undefined, field: string): unknown {
  if (path === undefined) return data;
  if (path === null) return {};
  return selectPath(path, data, ctx, StatesError.Runtime, field);
}
