/** The Amazon States Language: pure data-flow, choice, timing, retry and validation rules for the workflow executor. */
export * from './errors.js';
export * from './types.js';
export * from './context.js';
export { evaluatePath, selectPath, isValidPath, isReferencePath, isContextPath, writeReferencePath, referenceSteps, type PathStep } from './paths.js';
export { payloadTemplate } from './templates.js';
export { effectiveInput, stateOutput, passResult, applyResultPath } from './io.js';
export { evaluateIntrinsic, INTRINSIC_FUNCTIONS, type IntrinsicEnv } from './intrinsics/functions.js';
export { parseIntrinsic, looksLikeIntrinsic, IntrinsicSyntaxError, type IntrinsicArg, type IntrinsicCall } from './intrinsics/parser.js';
export { evaluateChoice, matchesRule, wildcardMatch, isValidWildcard, COMPARISON_OPERATORS } from './choice.js';
export { parseTimestamp, isTimestamp } from './timestamps.js';
export { waitUntil } from './wait.js';
export { retryDelay, findCatcher, errorMatches, RETRY_DEFAULTS } from './retry.js';
export { failOutcome } from './fail.js';
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
