import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ASL_SCHEMA, validateDefinition, type AslProblem } from '../../../../src/workflows/asl/index.js';

/** Problems as `pointer: message` lines, sorted, so a test names every pointer it expects. */
function problems(definition: unknown): string[] {
  return validateDefinition(definition).map((p: AslProblem) => `${p.pointer}: ${p.message}`).sort();
}
function pointers(definition: unknown): string[] {
  return [...new Set(validateDefinition(definition).map((p) => p.pointer))].sort();
}

const task = (extra: Record<string, unknown> = {}) => ({ Type: 'Task', Resource: 'charge', End: true, ...extra });

describe('validateDefinition', () => {
  it('its schema is valid JSON Schema', () => {
    const meta = new Ajv({ strict: true, discriminator: true });
    expect(meta.validateSchema(ASL_SCHEMA), meta.errorsText(meta.errors)).toBe(true);
  });

  it('accepts a definition using every state type, nested machines, templates and intrinsics', () => {
    const definition = {
      Comment: 'orders',
      StartAt: 'Prepare',
      TimeoutSeconds: 3600,
      States: {
        Prepare: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()', 'items.$': '$.order.items', static: [1, { 'x.$': '$$.Execution.Id' }] }, Next: 'Check' },
        Check: {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.total', IsPresent: true }, { Variable: '$.total', NumericGreaterThan: 100 }], Next: 'Approve' },
            { Not: { Variable: '$.kind', StringMatches: 'gift-\\*-*' }, Next: 'Fan' },
          ],
          Default: 'Pause',
        },
        Approve: { Type: 'Task', Resource: 'approve', TimeoutSeconds: 60, HeartbeatSeconds: 10, ResultSelector: { 'ok.$': '$.ok' }, ResultPath: '$.approval', Next: 'Fan',
          Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 2, BackoffRate: 1.5, MaxAttempts: 4, MaxDelaySeconds: 30, JitterStrategy: 'FULL' }, { ErrorEquals: ['States.ALL'] }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error-info', Next: 'Failed' }] },
        Pause: { Type: 'Wait', SecondsPath: '$.delay', Next: 'Fan' },
        Fan: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'B1', States: { B1: { Type: 'Succeed' } } }],
          ResultPath: null,
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 2,
          ToleratedFailurePercentage: 10,
          ItemSelector: { 'item.$': '$$.Map.Item.Value', 'n.$': "States.Format('#{}', $$.Map.Item.Index)" },
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Ship', States: { Ship: task() } },
          Next: 'Done',
        },
        Done: { Type: 'Succeed', OutputPath: '$.approval' },
        Failed: { Type: 'Fail', ErrorPath: '$.error-info.Error', CausePath: "States.Format('failed: {}', $.error-info.Cause)" },
      },
    };
    expect(problems(definition)).toEqual([]);
  });

  it('reports a broken root', () => {
    expect(problems(7)).toEqual([': must be object']);
    expect(problems({})).toEqual(['/StartAt: is required', '/States: is required']);
  });

  // Several problems at once: graph, termination, reachability and transitions.
  it('reports every transition problem with its pointer', () => {
    const definition = {
      StartAt: 'Nowhere',
      States: {
        A: { Type: 'Pass', Next: 'B', End: true },
        B: { Type: 'Task', Resource: 'x' },
        C: { Type: 'Choice', Choices: [{ Variable: '$.a', BooleanEquals: true, Next: 'Ghost' }], Default: 'Phantom' },
        D: task({ Catch: [{ ErrorEquals: ['E'], Next: 'Spook' }] }),
      },
    };
    expect(problems(definition)).toEqual([
      '/StartAt: names no state of this machine: "Nowhere"',
      '/States/A: has both Next and End: a state either continues or ends',
      '/States/B: needs Next or "End": true (a Task state is not terminal by itself)',
      '/States/C/Choices/0/Next: names no state of this machine: "Ghost"',
      '/States/C/Default: names no state of this machine: "Phantom"',
      '/States/D/Catch/0/Next: names no state of this machine: "Spook"',
    ]);
  });

  it('reports states unreachable from StartAt, including cycles cut off from it', () => {
    const definition = {
      StartAt: 'A',
      States: { A: task(), Island1: { Type: 'Pass', Next: 'Island2' }, Island2: { Type: 'Pass', Next: 'Island1' } },
    };
    expect(problems(definition)).toEqual(['/States/Island1: cannot be reached from StartAt "A"', '/States/Island2: cannot be reached from StartAt "A"']);
  });

  it('reports bad paths in every path field and every .$ value', () => {
    const definition = {
      StartAt: 'T',
      States: {
        T: task({
          InputPath: 'nope',
          OutputPath: '$.[',
          ResultPath: '$.a[*]',
          Parameters: { 'a.$': '$..', deep: { list: [{ 'b.$': 'x' }] }, 'c.$': 5, 'd.$': 'States.Bogus(1)', 'e.$': "States.Format('x'", 'f/g.$': '$$.' },
          ResultSelector: { 'r.$': '$.ok', 's.$': 'States.Array(States.Nope())' },
          TimeoutSecondsPath: '$.t[0:1]',
          End: undefined,
          Next: 'W',
        }),
        W: { Type: 'Wait', TimestampPath: '$$.Execution.Input..t', Next: 'M' },
        M: { Type: 'Map', ItemsPath: '$.items*', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', ResultPath: '$$.x', End: true } } }, End: true },
      },
    };
    expect(problems(definition)).toEqual([
      '/States/M/ItemProcessor/States/P/ResultPath: is not a valid reference path (a $ path naming a single node: no .., *, ?, :, or ,)',
      '/States/M/ItemsPath: is not a valid reference path (a $ or $$ path naming a single node: no .., *, ?, :, or ,)',
      '/States/T/InputPath: is not a valid path (a JSONPath starting with $ or $$)',
      '/States/T/OutputPath: is not a valid path (a JSONPath starting with $ or $$)',
      '/States/T/Parameters/a.$: is neither a valid path nor an intrinsic function call: "$.."',
      '/States/T/Parameters/c.$: must be a string holding a path or an intrinsic function call',
      '/States/T/Parameters/d.$: names unknown intrinsic function(s) States.Bogus',
      '/States/T/Parameters/deep/list/0/b.$: is neither a valid path nor an intrinsic function call: "x"',
      `/States/T/Parameters/e.$: invalid intrinsic function "States.Format('x'" at character 18: missing ")" to close States.Format`,
      '/States/T/Parameters/f~1g.$: is neither a valid path nor an intrinsic function call: "$$."',
      '/States/T/ResultPath: is not a valid reference path (a $ path naming a single node: no .., *, ?, :, or ,)',
      '/States/T/ResultSelector/s.$: names unknown intrinsic function(s) States.Nope',
      '/States/T/TimeoutSecondsPath: is not a valid reference path (a $ or $$ path naming a single node: no .., *, ?, :, or ,)',
      '/States/W/TimestampPath: is not a valid reference path (a $ or $$ path naming a single node: no .., *, ?, :, or ,)',
    ]);
  });

  it('reports bad Retry and Catch entries', () => {
    const definition = {
      StartAt: 'Charge',
      States: {
        Charge: task({
          Retry: [
            { ErrorEquals: ['States.ALL', 'Other'], BackoffRate: 0.5, MaxAttempts: -1, IntervalSeconds: 0, JitterStrategy: 'SOME' },
            { ErrorEquals: [], MaxDelaySeconds: 0 },
            { ErrorEquals: ['X'], Extra: 1 },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Charge' }, { ErrorEquals: ['Y'], ResultPath: '$..x' }],
        }),
      },
    };
    expect(problems(definition)).toEqual([
      '/States/Charge/Catch/0/ErrorEquals/0: States.ALL may only appear in the last entry',
      '/States/Charge/Catch/1/Next: is required',
      '/States/Charge/Catch/1/ResultPath: is not a valid reference path (a $ path naming a single node: no .., *, ?, :, or ,)',
      '/States/Charge/Retry/0/BackoffRate: must be >= 1',
      '/States/Charge/Retry/0/ErrorEquals/0: States.ALL may only appear in the last entry',
      '/States/Charge/Retry/0/ErrorEquals/0: States.ALL must be the only error name in its ErrorEquals',
      '/States/Charge/Retry/0/IntervalSeconds: must be >= 1',
      '/States/Charge/Retry/0/JitterStrategy: must be one of "FULL", "NONE"',
      '/States/Charge/Retry/0/MaxAttempts: must be >= 0',
      '/States/Charge/Retry/1/ErrorEquals: must NOT have fewer than 1 items',
      '/States/Charge/Retry/1/MaxDelaySeconds: must be >= 1',
      '/States/Charge/Retry/2/Extra: is not a field of this object',
    ]);
  });

  it('reports Wait, Task, Fail and Map field rules and unknown types or fields', () => {
    const definition = {
      StartAt: 'W0',
      States: {
        W0: { Type: 'Wait', Next: 'W2' },
        W2: { Type: 'Wait', Seconds: 5, Timestamp: '2016-03-14T01:59:00Z', Next: 'W3' },
        W3: { Type: 'Wait', Timestamp: 'tomorrow', Next: 'T' },
        T: { Type: 'Task', TimeoutSeconds: 10, HeartbeatSeconds: 10, TimeoutSecondsPath: '$.t', Next: 'F' },
        F: { Type: 'Fail', Error: 'E', ErrorPath: '$.e', CausePath: 'cause' },
        M: { Type: 'Map', Iterator: { StartAt: 'I', States: { I: { Type: 'Succeed' } } }, ItemProcessor: { StartAt: 'J', States: { J: { Type: 'Succeed' } } }, MaxConcurrency: -1, ToleratedFailurePercentage: 120, End: true },
        N: { Type: 'Map', End: true },
        X: { Type: 'Sleep' },
        S: { Type: 'Succeed', Next: 'T' },
      },
    };
    expect(pointers(definition)).toEqual([
      '/States/F/CausePath',
      '/States/F/ErrorPath',
      '/States/M',
      '/States/M/Iterator',
      '/States/M/MaxConcurrency',
      '/States/M/ToleratedFailurePercentage',
      '/States/N',
      '/States/N/ItemProcessor',
      '/States/S',
      '/States/S/Next',
      '/States/T/HeartbeatSeconds',
      '/States/T/Resource',
      '/States/T/TimeoutSecondsPath',
      '/States/W0',
      '/States/W2',
      '/States/W3/Timestamp',
      '/States/X',
      '/States/X/Type',
    ]);
    const byPointer = new Map(validateDefinition(definition).map((p) => [p.pointer, p.message]));
    expect(byPointer.get('/States/W0')).toBe('needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath, has none');
    expect(byPointer.get('/States/W2')).toBe('needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath, has Seconds and Timestamp');
    expect(byPointer.get('/States/T/Resource')).toBe('is required');
    expect(byPointer.get('/States/F/ErrorPath')).toBe('cannot be used together with Error');
    expect(byPointer.get('/States/T/HeartbeatSeconds')).toBe('must be smaller than TimeoutSeconds (10)');
    expect(validateDefinition({ StartAt: 'T', States: { T: task({ HeartbeatSeconds: 60 }) } })).toEqual([
      { pointer: '/States/T/HeartbeatSeconds', message: 'must be smaller than TimeoutSeconds (60, the default)' },
    ]);
    expect(byPointer.get('/States/S/Next')).toBe('is not a field of this object');
    expect(byPointer.get('/States/X/Type')).toMatch(/^must be one of "Task"/);
  });

  it('reports malformed Choice rules', () => {
    const definition = {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.a', StringEquals: 'x', NumericEquals: 1, Next: 'E' },
            { Variable: '$.a', Next: 'E' },
            { StringEquals: 'x', Next: 'E' },
            { And: [{ Variable: '$.a', IsNull: true, Next: 'E' }], Variable: '$.b', Next: 'E' },
            { Variable: '$.a', NumericEquals: 'one', Next: 'E' },
            { Variable: '$.a', TimestampEquals: '2016-03-14', Next: 'E' },
            { Variable: '$.a', StringMatches: 'a\\b', Next: 'E' },
            { Variable: '$.a', BooleanEquals: true },
            { Variable: '$.a', StringEqualsPath: '$.b[*]', Next: 'E' },
            { Or: [], Next: 'E' },
          ],
          End: true,
        },
        E: { Type: 'Succeed' },
      },
    };
    expect(problems(definition)).toEqual([
      '/States/C/Choices/0: needs exactly one of And, Or, Not or a comparison operator, has StringEquals, NumericEquals',
      '/States/C/Choices/1: needs exactly one of And, Or, Not or a comparison operator, has none',
      '/States/C/Choices/2/Variable: is required with a comparison operator',
      '/States/C/Choices/3/And/0/Next: is only allowed on a top-level Choice rule',
      '/States/C/Choices/3/Variable: has no use with And',
      '/States/C/Choices/4/NumericEquals: must be number',
      '/States/C/Choices/5/TimestampEquals: is not an RFC 3339 timestamp such as "2016-03-14T01:59:00Z"',
      '/States/C/Choices/6/StringMatches: may only escape "*" or "\\" with a backslash',
      '/States/C/Choices/7/Next: is required on a top-level Choice rule',
      '/States/C/Choices/8/StringEqualsPath: is not a valid reference path (a $ or $$ path naming a single node: no .., *, ?, :, or ,)',
      '/States/C/Choices/9/Or: must NOT have fewer than 1 items',
      '/States/C/End: is not a field of this object',
    ]);
  });

  it('validates Parallel branches and Map processors recursively, with pointers into them', () => {
    const definition = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Ok', States: { Ok: { Type: 'Succeed' } } },
            { StartAt: 'Missing', States: { In: { Type: 'Pass', Next: 'Outside' } } },
          ],
          Next: 'M',
        },
        M: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Q', States: { Q: { Type: 'Task', Resource: 'q', Retry: [{ ErrorEquals: ['E'], BackoffRate: 0 }], Next: 'M' } } },
          End: true,
        },
      },
    };
    expect(problems(definition)).toEqual([
      '/States/M/ItemProcessor/States/Q/Next: names no state of this machine: "M"',
      '/States/M/ItemProcessor/States/Q/Retry/0/BackoffRate: must be >= 1',
      '/States/P/Branches/1/StartAt: names no state of this machine: "Missing"',
      '/States/P/Branches/1/States/In/Next: names no state of this machine: "Outside"',
    ]);
  });
});
