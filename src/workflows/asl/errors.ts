/**
 * The error names the States language reserves (spec: "Errors"), and the one error type every ASL
 * helper throws. The executor records `error` and `cause` as given: Catch and Retry match on `error`.
 */
export const StatesError = {
  ALL: 'States.ALL',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  Timeout: 'States.Timeout',
  TaskFailed: 'States.TaskFailed',
  Permissions: 'States.Permissions',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ParameterPathFailure: 'States.ParameterPathFailure',
  BranchFailed: 'States.BranchFailed',
  NoChoiceMatched: 'States.NoChoiceMatched',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  ItemReaderFailed: 'States.ItemReaderFailed',
  ResultWriterFailed: 'States.ResultWriterFailed',
  Runtime: 'States.Runtime',
  QueryEvaluationError: 'States.QueryEvaluationError',
} as const;

export type StatesErrorName = (typeof StatesError)[keyof typeof StatesError];

export const STATES_ALL = StatesError.ALL;
export const STATES_HEARTBEAT_TIMEOUT = StatesError.HeartbeatTimeout;
export const STATES_TIMEOUT = StatesError.Timeout;
export const STATES_TASK_FAILED = StatesError.TaskFailed;
export const STATES_PERMISSIONS = StatesError.Permissions;
export const STATES_RESULT_PATH_MATCH_FAILURE = StatesError.ResultPathMatchFailure;
export const STATES_PARAMETER_PATH_FAILURE = StatesError.ParameterPathFailure;
export const STATES_BRANCH_FAILED = StatesError.BranchFailed;
export const STATES_NO_CHOICE_MATCHED = StatesError.NoChoiceMatched;
export const STATES_INTRINSIC_FAILURE = StatesError.IntrinsicFailure;
export const STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD = StatesError.ExceedToleratedFailureThreshold;
export const STATES_ITEM_READER_FAILED = StatesError.ItemReaderFailed;
export const STATES_RESULT_WRITER_FAILED = StatesError.ResultWriterFailed;
export const STATES_RUNTIME = StatesError.Runtime;
export const STATES_QUERY_EVALUATION_ERROR = StatesError.QueryEvaluationError;

/** An ASL error: `error` is the name Retry/Catch match on, `cause` the human-readable detail. */
export class AslError extends Error {
  readonly error: string;
  override readonly cause: string;

  constructor(error: string, cause: string) {
    super(`${error}: ${cause}`);
    this.name = 'AslError';
    this.error = error;
    this.cause = cause;
  }

  /** The `{Error, Cause}` object a Catcher hands to the next state (spec: "Catch"). */
  toOutput(): { Error: string; Cause: string } {
    return { Error: this.error, Cause: this.cause };
  }
}

/** Reads an error from anything thrown: task adapters may throw plain Errors, which are States.TaskFailed. */
export function asAslError(e: unknown): AslError {
  if (e instanceof AslError) return e;
  if (e instanceof Error) return new AslError(StatesError.TaskFailed, e.message);
  return new AslError(StatesError.TaskFailed, String(e));
}
