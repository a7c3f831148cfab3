import { describe, expect, it } from 'vitest';
import { AslError, effectiveInput, passResult, payloadTemplate, stateOutput, type State } from '../../../../src/workflows/asl/index.js';
import { aslFailure, context } from './fixtures.js';


describe('input and output processing', () => {
  // Spec "Input and Output Processing": the "Numbers to add" example.
  it('InputPath selects the task input and ResultPath adds the sum to the raw input', () => {
    const state: State = { Type: 'Task', Resource: 'add', InputPath: '$.numbers', ResultPath: '$.sum', End: true };
    const raw = { title: 'Numbers to add', numbers: { val1: 3, val2: 4 } };
    expect(effectiveInput(state, raw, context())).toEqual({ val1: 3, val2: 4 });
    expect(stateOutput(state, raw, 7, context())).toEqual({ title: 'Numbers to add', numbers: { val1: 3, val2: 4 }, sum: 7 });
  });

  // Spec "Payload Template": the Parameters example with $$.DayOfWeek and States.Format.
  it('Parameters builds the effective input from paths, context paths and intrinsics', () => {
    const state: State = {
      Type: 'Task',
      Resource: 'x',
      Next: 'Y',
      Parameters: {
        flagged: true,
        parts: { 'first.$': '$.vals[0]', 'last3.$': '$.vals[-3:]' },
        'weekday.$': '$$.DayOfWeek',
        'formattedOutput.$': "States.Format('Today is {}', $$.DayOfWeek)",
      },
    };
    const raw = { flagged: 7, vals: [0, 10, 20, 30, 40, 50] };
    expect(effectiveInput(state, raw, context({ DayOfWeek: 'TUESDAY' }))).toEqual({
      flagged: true,
      parts: { first: 0, last3: [30, 40, 50] },
      weekday: 'TUESDAY',
      formattedOutput: 'Today is TUESDAY',
    });
  });

  // Spec "ResultSelector": the Lambda payload example narrowed, placed and selected again.
  it('ResultSelector, ResultPath and OutputPath apply in that order', () => {
    const state: State = {
      Type: 'Task',
      Resource: 'lambda',
      End: true,
      ResultSelector: { modifiedPayload: { 'body.$': '$.Payload.body', 'statusCode.$': '$.Payload.statusCode', 'requestId.$': '$.SdkResponseMetadata.RequestId' } },
      ResultPath: '$.TaskResult',
      OutputPath: '$.TaskResult.modifiedPayload',
    };
    const result = { ExecutedVersion: '$LATEST', Payload: { statusCode: '200', body: 'hello, world!' }, SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: '88fba57b-adbe-467f-abf4-daca36fc9028' } };
    expect(stateOutput(state, { in: 1 }, result, context())).toEqual({ body: 'hello, world!', statusCode: '200', requestId: '88fba57b-adbe-467f-abf4-daca36fc9028' });
  });

  // Spec "ResultPath": a field at the path is overwritten, missing intervening fields are created.
  it('ResultPath overwrites an existing node and creates missing ones, without touching the raw input', () => {
    const state: State = { Type: 'Pass', ResultPath: '$.master.detail', End: true };
    const raw = { master: { detail: [1, 2, 3] } };
    expect(stateOutput(state, raw, 6)).toEqual({ master: { detail: 6 } });
    expect(raw).toEqual({ master: { detail: [1, 2, 3] } });
    expect(stateOutput({ ...state, ResultPath: "$.a['b c'].d" }, {}, 'x')).toEqual({ a: { 'b c': { d: 'x' } } });
    expect(stateOutput({ ...state, ResultPath: '$.list[1]' }, { list: [1, 2] }, 'x')).toEqual({ list: [1, 'x'] });
  });

  it('ResultPath into a value that is not an object is States.ResultPathMatchFailure', () => {
    const state: State = { Type: 'Pass', ResultPath: '$.master.detail.bla', End: true };
    const e = aslFailure(() => stateOutput(state, { master: { detail: [1, 2, 3] } }, 6));
    expect(e.error).toBe('States.ResultPathMatchFailure');
    expect(e.cause).toContain('$.master.detail');
    expect(aslFailure(() => stateOutput({ ...state, ResultPath: '$.x' }, 'a string', 1)).error).toBe('States.ResultPathMatchFailure');
  });

  // Spec "Filters": null InputPath gives {}, null ResultPath discards the result, null OutputPath gives {}.
  it('null InputPath, ResultPath and OutputPath', () => {
    const state: State = { Type: 'Task', Resource: 'x', InputPath: null, ResultPath: null, End: true };
    expect(effectiveInput(state, { a: 1 })).toEqual({});
    expect(stateOutput(state, { a: 1 }, { b: 2 })).toEqual({ a: 1 });
    expect(stateOutput({ ...state, ResultPath: undefined, OutputPath: null }, { a: 1 }, { b: 2 })).toEqual({});
  });

  it('Pass: Result becomes the result, else the effective input; Parameters applies', () => {
    const withResult: State = { Type: 'Pass', Result: { x: 1 }, ResultPath: '$.r', End: true };
    expect(stateOutput(withResult, { a: 1 }, passResult(withResult, { a: 1 }))).toEqual({ a: 1, r: { x: 1 } });
    const withParams: State = { Type: 'Pass', Parameters: { 'b.$': '$.a' }, End: true };
    expect(stateOutput(withParams, { a: 1 }, passResult(withParams, { a: 1 }))).toEqual({ b: 1 });
  });

  it('Parallel: the array of branch outputs goes through ResultSelector, ResultPath and OutputPath', () => {
    const state: State = {
      Type: 'Parallel',
      Branches: [],
      Parameters: { 'order.$': '$.order' },
      ResultSelector: { 'first.$': '$[0]', 'count.$': 'States.ArrayLength($)' },
      ResultPath: '$.branches',
      OutputPath: '$.branches',
      End: true,
    };
    expect(effectiveInput(state, { order: 7, other: 1 })).toEqual({ order: 7 });
    expect(stateOutput(state, { order: 7 }, [{ a: 1 }, { b: 2 }])).toEqual({ first: { a: 1 }, count: 2 });
  });

  it('Fail has no output; its input is the raw input', () => {
    const state: State = { Type: 'Fail', Error: 'E' };
    expect(effectiveInput(state, { a: 1 })).toEqual({ a: 1 });
    expect(stateOutput(state, { a: 1 }, { a: 1 })).toBeUndefined();
  });

  it('Choice, Wait and Succeed apply InputPath and OutputPath only', () => {
    const state: State = { Type: 'Succeed', InputPath: '$.a', OutputPath: '$.b' };
    const input = effectiveInput(state, { a: { b: 5 } });
    expect(stateOutput(state, { a: { b: 5 } }, input)).toBe(5);
  });

  it('an InputPath or OutputPath matching nothing is States.Runtime naming the field', () => {
    const state: State = { Type: 'Pass', InputPath: '$.missing', End: true };
    const e = aslFailure(() => effectiveInput(state, { a: 1 }));
    expect(e.error).toBe('States.Runtime');
    expect(e.cause).toContain('InputPath');
    expect(aslFailure(() => stateOutput({ Type: 'Pass', OutputPath: '$.nope', End: true }, {}, {})).cause).toContain('OutputPath');
  });

  it('a path that selects several nodes yields the array of them', () => {
    const state: State = { Type: 'Pass', InputPath: '$.a[0:2]', End: true };
    // Spec "Paths" note: $.a[0:2] on {"a": [1, 2, 3, 4]} is [1, 2].
    expect(effectiveInput(state, { a: [1, 2, 3, 4] })).toEqual([1, 2]);
    expect(effectiveInput({ ...state, InputPath: '$.items[?(@.price < 10)].name' }, { items: [{ name: 'a', price: 5 }, { name: 'b', price: 50 }] })).toEqual(['a']);
  });
});

describe('payload templates', () => {
  it('a path matching nothing is States.ParameterPathFailure naming the field', () => {
    const e = aslFailure(() => payloadTemplate({ 'x.$': '$.nope' }, { a: 1 }));
    expect(e.error).toBe('States.ParameterPathFailure');
    expect(e.cause).toContain('"x.$"');
  });

  it('templates recurse through objects and arrays and keep static values', () => {
    expect(payloadTemplate({ list: [{ 'v.$': '$.a' }, 2], s: '$.a', n: null }, { a: 'A' })).toEqual({ list: [{ v: 'A' }, 2], s: '$.a', n: null });
  });

  it('$$ paths read the context object, including the Map item', () => {
    const ctx = { ...context(), Map: { Item: { Index: 2, Value: { id: 'i' } } } };
    expect(payloadTemplate({ 'id.$': '$$.Execution.Id', 'idx.$': '$$.Map.Item.Index', 'v.$': '$$.Map.Item.Value.id', 'all.$': '$' }, { q: 1 }, ctx)).toEqual({
      id: 'exec-1',
      idx: 2,
      v: 'i',
      all: { q: 1 },
    });
  });
});
