/**
 * The shape of a state machine definition (spec: "Structure of a State Machine", "State Types").
 * These types describe a definition that `validateDefinition` accepted; they do not check anything.
 */

/** A JSON value as it travels between states. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A payload template (Parameters, ResultSelector, ItemSelector): keys ending in `.$` hold paths or intrinsics. */
export type PayloadTemplate = { [key: string]: unknown };

export interface StateMachine {
  StartAt: string;
  States: Record<string, State>;
  Comment?: string;
  Version?: string;
  TimeoutSeconds?: number;
  QueryLanguage?: 'JSONPath';
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
  Comment?: string;
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Comment?: string;
}

interface Base {
  Comment?: string;
}
/** Next or End: the spec demands exactly one on non-terminal states other than Choice. */
interface Transition {
  Next?: string;
  End?: boolean;
}
interface InputOutput {
  InputPath?: string | null;
  OutputPath?: string | null;
}
interface ResultHandling {
  ResultPath?: string | null;
  ResultSelector?: PayloadTemplate;
}
interface ErrorHandling {
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface TaskState extends Base, Transition, InputOutput, ResultHandling, ErrorHandling {
  Type: 'Task';
  Resource: string;
  Parameters?: PayloadTemplate;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  HeartbeatSecondsPath?: string;
  Credentials?: PayloadTemplate;
}

export interface PassState extends Base, Transition, InputOutput {
  Type: 'Pass';
  Parameters?: PayloadTemplate;
  Result?: unknown;
  ResultPath?: string | null;
}

/** A Choice rule: either a boolean combinator or a comparison of `Variable` with one operator. */
export interface ChoiceRule {
  Variable?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  Next?: string;
  Comment?: string;
  [operator: string]: unknown;
}

export interface ChoiceState extends Base, InputOutput {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

export interface WaitState extends Base, Transition, InputOutput {
  Type: 'Wait';
  Seconds?: number;
  Timestamp?: string;
  SecondsPath?: string;
  TimestampPath?: string;
}

export interface SucceedState extends Base, InputOutput {
  Type: 'Succeed';
}

export interface FailState extends Base {
  Type: 'Fail';
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

export interface ParallelState extends Base, Transition, InputOutput, ResultHandling, ErrorHandling {
  Type: 'Parallel';
  Branches: StateMachine[];
  Parameters?: PayloadTemplate;
}

/** The nested machine of a Map; `ProcessorConfig` is kept for the executor (INLINE is what it runs). */
export interface ItemProcessor extends StateMachine {
  ProcessorConfig?: { Mode?: 'INLINE' | 'DISTRIBUTED'; ExecutionType?: 'STANDARD' | 'EXPRESS' };
}

export interface MapState extends Base, Transition, InputOutput, ResultHandling, ErrorHandling {
  Type: 'Map';
  ItemProcessor?: ItemProcessor;
  /** Legacy name of ItemProcessor. */
  Iterator?: StateMachine;
  ItemsPath?: string;
  ItemSelector?: PayloadTemplate;
  /** Legacy name of ItemSelector. */
  Parameters?: PayloadTemplate;
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  ToleratedFailureCount?: number;
  ToleratedFailureCountPath?: string;
  ToleratedFailurePercentage?: number;
  ToleratedFailurePercentagePath?: string;
}

export type State = TaskState | ChoiceState | WaitState | ParallelState | MapState | PassState | SucceedState | FailState;
export type StateType = State['Type'];
