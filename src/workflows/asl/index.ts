/**
 * The Amazon States Language (https://states-language.net/spec.html): the pure rules of data flow,
 * choice, timing, retry, catch, Map and validation that the workflow executor applies. No I/O, no
 * clock, no randomness except what the caller passes in.
 */
import { evaluateIntrinsic, INTRINSIC_FUNCTIONS } from './intrinsics/functions.js';
import { parseIntrinsic } from './intrinsics/parser.js';

export * from './errors.js';
export * from './types.js';
export * from './context.js';
export { evaluatePath, selectPath, isValidPath, isReferencePath, isContextPath, writeReferencePath, referenceSteps, type PathStep } from './paths.js';
export { payloadTemplate } from './templates.js';
export { effectiveInput, stateOutput, passResult, applyResultPath } from './io.js';
export { evaluateChoice, matchesRule, wildcardMatch, isValidWildcard, COMPARISON_OPERATORS } from './choice.js';
export { parseTimestamp, isTimestamp } from './timestamps.js';
export { waitUntil } from './wait.js';
export { retryDelay, findCatcher, errorMatches, RETRY_DEFAULTS } from './retry.js';
export { failOutcome } from './fail.js';
export { taskTimeouts, DEFAULT_TASK_TIMEOUT_SECONDS } from './task.js';
export {
  mapItems,
  mapItemInput,
  mapProcessor,
  mapMaxConcurrency,
  mapFailureTolerance,
  exceedsFailureTolerance,
  toleranceExceeded,
  type FailureTolerance,
} from './map.js';
export { evaluateIntrinsic, INTRINSIC_FUNCTIONS, type IntrinsicEnv } from './intrinsics/functions.js';
export { parseIntrinsic, looksLikeIntrinsic, IntrinsicSyntaxError, type IntrinsicArg, type IntrinsicCall } from './intrinsics/parser.js';
export { validateDefinition, type AslProblem } from './validate/index.js';
export { ASL_SCHEMA } from './validate/schema.js';

/** The intrinsic functions as one object: parse an expression, evaluate one, list the known names. */
export const intrinsics = { parse: parseIntrinsic, evaluate: evaluateIntrinsic, functions: INTRINSIC_FUNCTIONS } as const;
