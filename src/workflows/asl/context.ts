/**
 * The context object (`$$` in paths, spec: "The Context Object"): facts about the running execution
 * that the executor owns. The library only reads it; the helpers below build the per-state and
 * per-item views without mutating the one they are given.
 */
export interface ContextObject {
  Execution: {
    Id: string;
    Input: unknown;
    Name: string;
    /** ISO 8601 time the execution started. */
    StartTime: string;
    [field: string]: unknown;
  };
  State: {
    /** ISO 8601 time the current state was entered. */
    EnteredTime: string;
    Name: string;
    RetryCount: number;
  };
  StateMachine: {
    Id: string;
    Name: string;
    [field: string]: unknown;
  };
  /** Present while a Task runs with a callback token. */
  Task?: { Token: string };
  /** Present inside a Map iteration (`$$.Map.Item.Index`, `$$.Map.Item.Value`). */
  Map?: { Item: { Index: number; Value: unknown } };
  /** Room for other fields an executor exposes; the spec lets implementations add more. */
  [field: string]: unknown;
}

/** The context for a state being entered: `$$.State` changes, everything else is kept. */
export function enterState(ctx: ContextObject, name: string, enteredAt: Date, retryCount = 0): ContextObject {
  return { ...ctx, State: { EnteredTime: enteredAt.toISOString(), Name: name, RetryCount: retryCount } };
}

/** The context seen by one Map iteration's ItemSelector and its processor. */
export function withMapItem(ctx: ContextObject, index: number, value: unknown): ContextObject {
  return { ...ctx, Map: { Item: { Index: index, Value: value } } };
}

/** The context while a Task with a callback token runs. */
export function withTaskToken(ctx: ContextObject, token: string): ContextObject {
  return { ...ctx, Task: { Token: token } };
}
