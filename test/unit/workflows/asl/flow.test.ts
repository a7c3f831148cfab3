import { describe, expect, it } from 'vitest';
import { AslError, failOutcome, findCatcher, retryDelay, taskTimeouts, waitUntil, type Retrier, type WaitState } from '../../../../src/workflows/asl/index.js';
import { aslFailure, context } from './fixtures.js';

const entered = new Date('2026-03-01T00:00:00.000Z');
const err = (name: string) => new AslError(name, 'it broke');


describe('Wait', () => {
  const wait = (fields: Partial<WaitState>): WaitState => ({ Type: 'Wait', Next: 'N', ...fields });

  // Spec "Wait State": Seconds 10, Timestamp "2016-03-14T01:59:00Z", TimestampPath "$.expirydate".
  it('each of the four fields', () => {
    expect(waitUntil(wait({ Seconds: 10 }), {}, entered).toISOString()).toBe('2026-03-01T00:00:10.000Z');
    expect(waitUntil(wait({ Timestamp: '2016-03-14T01:59:00Z' }), {}, entered).toISOString()).toBe('2016-03-14T01:59:00.000Z');
    expect(waitUntil(wait({ SecondsPath: '$.delay' }), { delay: 90 }, entered).toISOString()).toBe('2026-03-01T00:01:30.000Z');
    expect(waitUntil(wait({ TimestampPath: '$.expirydate' }), { expirydate: '2016-03-14T03:59:00+02:00' }, entered).toISOString()).toBe('2016-03-14T01:59:00.000Z');
  });

  it('bad path values are States.Runtime naming the field and the value', () => {
    const e = aslFailure(() => waitUntil(wait({ SecondsPath: '$.delay' }), { delay: -1 }, entered));
    expect(e.error).toBe('States.Runtime');
    expect(e.cause).toContain('SecondsPath "$.delay"');
    expect(e.cause).toContain('-1');
    expect(aslFailure(() => waitUntil(wait({ SecondsPath: '$.delay' }), { delay: '5' }, entered)).cause).toContain('"5"');
    expect(aslFailure(() => waitUntil(wait({ SecondsPath: '$.nope' }), {}, entered)).cause).toContain('matched nothing');
    expect(aslFailure(() => waitUntil(wait({ TimestampPath: '$.t' }), { t: '2016-03-14 01:59:00' }, entered)).cause).toContain('RFC 3339');
    expect(aslFailure(() => waitUntil(wait({ TimestampPath: '$.t' }), { t: '2016-03-14t01:59:00z' }, entered)).error).toBe('States.Runtime');
  });
});

describe('Retry', () => {
  // Spec "Retrying after error": States.Timeout, IntervalSeconds 3, MaxAttempts 2, BackoffRate 1.5
  // makes 2 retries after waits of 3 and 4.5 seconds.
  it('backoff arithmetic of the spec example', () => {
    const retriers: Retrier[] = [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 1.5 }];
    expect(retryDelay(retriers, err('States.Timeout'), [0], Math.random)).toEqual({ retrier: 0, delayMs: 3000 });
    expect(retryDelay(retriers, err('States.Timeout'), [1], Math.random)).toEqual({ retrier: 0, delayMs: 4500 });
    expect(retryDelay(retriers, err('States.Timeout'), [2], Math.random)).toBeUndefined();
  });

  it('defaults: 1 s, 3 attempts, rate 2; MaxAttempts 0 never retries', () => {
    const retriers: Retrier[] = [{ ErrorEquals: ['Boom'] }];
    expect([0, 1, 2, 3].map((n) => retryDelay(retriers, err('Boom'), [n], Math.random)?.delayMs)).toEqual([1000, 2000, 4000, undefined]);
    expect(retryDelay([{ ErrorEquals: ['Boom'], MaxAttempts: 0 }], err('Boom'), [0], Math.random)).toBeUndefined();
  });

  it('MaxDelaySeconds caps and FULL jitter scales by the injected random', () => {
    const retriers: Retrier[] = [{ ErrorEquals: ['Boom'], IntervalSeconds: 10, MaxAttempts: 10, MaxDelaySeconds: 60 }];
    expect(retryDelay(retriers, err('Boom'), [5], () => 0.5)?.delayMs).toBe(60_000);
    const jittered: Retrier[] = [{ ...retriers[0], JitterStrategy: 'FULL' }];
    expect(retryDelay(jittered, err('Boom'), [1], () => 0.25)?.delayMs).toBe(5000);
    expect(retryDelay([{ ...jittered[0], JitterStrategy: 'NONE' }], err('Boom'), [1], () => 0.25)?.delayMs).toBe(20_000);
  });

  // Spec "Retrying after error": the first retrier whose ErrorEquals names the error is the one used;
  // its attempt count is its own, and once spent the error is not retried by a later retrier.
  it('first matching retrier wins; counts are per retrier', () => {
    const retriers: Retrier[] = [
      { ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2 },
      { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 },
      { ErrorEquals: ['States.ALL'], MaxAttempts: 1 },
    ];
    expect(retryDelay(retriers, err('ErrorB'), [1, 0, 0], Math.random)).toEqual({ retrier: 0, delayMs: 2000 });
    expect(retryDelay(retriers, err('ErrorA'), [2, 0, 0], Math.random)).toBeUndefined();
    expect(retryDelay(retriers, err('ErrorC'), [2, 0, 0], Math.random)).toEqual({ retrier: 1, delayMs: 5000 });
    expect(retryDelay(retriers, err('Other'), [2, 3, 0], Math.random)).toEqual({ retrier: 2, delayMs: 1000 });
    expect(retryDelay(undefined, err('Other'), [], Math.random)).toBeUndefined();
  });

  // Spec "Predefined Error Codes": States.TaskFailed matches any error name except States.Timeout.
  it('States.TaskFailed is a wildcard except for States.Timeout', () => {
    const retriers: Retrier[] = [{ ErrorEquals: ['States.TaskFailed'] }];
    expect(retryDelay(retriers, err('CustomError'), [0], Math.random)?.retrier).toBe(0);
    expect(retryDelay(retriers, err('States.Permissions'), [0], Math.random)?.retrier).toBe(0);
    expect(retryDelay(retriers, err('States.Timeout'), [0], Math.random)).toBeUndefined();
  });
});

describe('Catch', () => {
  // Spec "Fallback states": the error output {Error, Cause} is placed by ResultPath, default $.
  it('places {Error, Cause} by ResultPath', () => {
    const catchers = [
      { ErrorEquals: ['java.lang.Exception'], ResultPath: '$.error-info', Next: 'RecoveryState' },
      { ErrorEquals: ['States.ALL'], Next: 'EndState' },
    ];
    const special = findCatcher(catchers, new AslError('java.lang.Exception', 'oops'));
    expect(special?.next).toBe('RecoveryState');
    expect(special?.output({ foo: 'bar' }, context())).toEqual({ foo: 'bar', 'error-info': { Error: 'java.lang.Exception', Cause: 'oops' } });
    const any = findCatcher(catchers, new AslError('Other', 'x'));
    expect(any?.next).toBe('EndState');
    expect(any?.output({ foo: 'bar' })).toEqual({ Error: 'Other', Cause: 'x' });
    expect(findCatcher([{ ErrorEquals: ['A'], ResultPath: null, Next: 'N' }], err('A'))?.output({ keep: 1 })).toEqual({ keep: 1 });
    expect(findCatcher([{ ErrorEquals: ['A'], Next: 'N' }], err('B'))).toBeUndefined();
  });
});

describe('Fail', () => {
  it('Error and Cause as written or read by ErrorPath and CausePath', () => {
    const e = failOutcome({ Type: 'Fail', Error: 'ErrorA', Cause: 'Kaiju attack' }, {});
    expect([e.error, e.cause]).toEqual(['ErrorA', 'Kaiju attack']);
    const d = failOutcome({ Type: 'Fail', ErrorPath: '$.err', CausePath: "States.Format('code {}', $.code)" }, { err: 'Bad', code: 7 });
    expect([d.error, d.cause]).toEqual(['Bad', 'code 7']);
    expect(failOutcome({ Type: 'Fail' }, {}).error).toBe('');
    expect(aslFailure(() => failOutcome({ Type: 'Fail', ErrorPath: '$.err' }, { err: 3 })).cause).toContain('ErrorPath "$.err"');
  });
});

describe('Task time limits', () => {
  it('TimeoutSeconds defaults to 60 (spec "Task State"); the Path forms read the input', () => {
    expect(taskTimeouts({ Type: 'Task', Resource: 'r', End: true }, {})).toEqual({ timeoutSeconds: 60 });
    expect(taskTimeouts({ Type: 'Task', Resource: 'r', TimeoutSecondsPath: '$.t', HeartbeatSecondsPath: '$.h', End: true }, { t: 300, h: 30 })).toEqual({ timeoutSeconds: 300, heartbeatSeconds: 30 });
    expect(aslFailure(() => taskTimeouts({ Type: 'Task', Resource: 'r', TimeoutSecondsPath: '$.t', End: true }, { t: 0 })).cause).toContain('TimeoutSecondsPath "$.t" must select a positive integer, got 0');
    expect(aslFailure(() => taskTimeouts({ Type: 'Task', Resource: 'r', HeartbeatSecondsPath: '$.h', End: true }, { h: 60 })).cause).toContain('must be shorter');
  });
});

describe('Retry then Catch, as in the spec', () => {
  // Spec "Retrying after error": the task fails with ErrorA, ErrorB, ErrorC, ErrorB. The first two
  // match the first retrier (waits 1 s and 2 s), the third the second retrier (5 s); the fourth
  // matches the first retrier again, which has used its 2 attempts, so the Catch sends it to Z.
  it('replays the ErrorA, ErrorB, ErrorC, ErrorB sequence', () => {
    const retriers: Retrier[] = [
      { ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2.0, MaxAttempts: 2 },
      { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 },
    ];
    const catchers = [{ ErrorEquals: ['States.ALL'], Next: 'Z' }];
    const attempts = [0, 0];
    const waits: number[] = [];
    let caughtBy: string | undefined;
    for (const name of ['ErrorA', 'ErrorB', 'ErrorC', 'ErrorB']) {
      const retry = retryDelay(retriers, err(name), attempts, () => 0);
      if (retry === undefined) {
        caughtBy = findCatcher(catchers, err(name))?.next;
        break;
      }
      attempts[retry.retrier]++;
      waits.push(retry.delayMs);
    }
    expect(waits).toEqual([1000, 2000, 5000]);
    expect(caughtBy).toBe('Z');
  });
});
