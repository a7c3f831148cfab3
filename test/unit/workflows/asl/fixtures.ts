import { AslError, type ContextObject } from '../../../../src/workflows/asl/index.js';

/** A context object as an executor would build it; tests add the fields a spec example reads. */
export function context(extra: Record<string, unknown> = {}): ContextObject {
  return {
    Execution: { Id: 'exec-1', Input: { start: true }, Name: 'run-1', StartTime: '2026-01-02T03:04:05.000Z' },
    State: { EnteredTime: '2026-01-02T03:04:06.000Z', Name: 'X', RetryCount: 0 },
    StateMachine: { Id: 'sm-1', Name: 'orders' },
    ...extra,
  };
}

/** The AslError `fn` throws; fails the test when it throws nothing or something else. */
export function aslFailure(fn: () => unknown): AslError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AslError) return e;
    throw e;
  }
  throw new Error('expected an AslError');
}
