import { describe, expect, it } from 'vitest';
import { AslError, asAslError, enterState, evaluatePath, isReferencePath, isValidPath, withMapItem, withTaskToken } from '../../../../src/workflows/asl/index.js';
import { context } from './fixtures.js';

describe('paths', () => {
  // Spec "Reference Paths": {"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": true}}.
  const data = { foo: 123, bar: ['a', 'b', 'c'], car: { cdr: true } };

  it('reference paths select single nodes', () => {
    expect(evaluatePath('$.foo', data)).toBe(123);
    expect(evaluatePath('$.bar', data)).toEqual(['a', 'b', 'c']);
    expect(evaluatePath('$.car.cdr', data)).toBe(true);
    expect(evaluatePath("$['car']['cdr']", data)).toBe(true);
    expect(evaluatePath('$.bar[-1]', data)).toBe('c');
    expect(evaluatePath('$', data)).toBe(data);
  });

  it('a definite path matching nothing yields undefined; an indefinite one the (possibly empty) array', () => {
    expect(evaluatePath('$.nope', data)).toBeUndefined();
    expect(evaluatePath('$.bar[7]', data)).toBeUndefined();
    expect(evaluatePath('$.bar[*]', data)).toEqual(['a', 'b', 'c']);
    expect(evaluatePath('$..cdr', data)).toEqual([true]);
    expect(evaluatePath('$.bar[?(@ == "z")]', data)).toEqual([]);
  });

  it('$$ reads the context object', () => {
    expect(evaluatePath('$$.StateMachine.Name', data, context())).toBe('orders');
    expect(evaluatePath('$$', data, context())).toEqual(context());
  });

  it('validity and definiteness', () => {
    for (const ok of ['$', '$.a', '$.a[0].b', "$['a b']", '$$.Execution.Id', '$.a[*]', '$..a', '$.a[1:2]', '$.a[?(@.b > 1)]']) expect(isValidPath(ok), ok).toBe(true);
    for (const bad of ['', 'a.b', '$.', '$[', '$.a[(@.length-1)]', '$.a.length()', 5]) expect(isValidPath(bad), String(bad)).toBe(false);
    for (const ref of ['$', '$.a', '$.a[0].b', "$['a b'].c"]) expect(isReferencePath(ref), ref).toBe(true);
    for (const notRef of ['$.a[*]', '$..a', '$.a[1:2]', '$.a[?(@.b)]', "$['a','b']", '$.a[-1]', '$$.Execution', 'x']) expect(isReferencePath(notRef), notRef).toBe(false);
    expect(isReferencePath('$$.Execution.Input', { allowContext: true })).toBe(true);
  });

  // ASL paths are Jayway JSONPath: the spec's examples use dot-notation names like $.error-info.
  it('accepts Jayway member names that RFC 9535 shorthand does not', () => {
    const d = { 'error-info': { 'delivery-partner': 'UQS' }, list: [{ 'x-y': 1 }, { 'x-y': 2 }] };
    expect(isReferencePath('$.error-info.delivery-partner')).toBe(true);
    expect(evaluatePath('$.error-info.delivery-partner', d)).toBe('UQS');
    expect(evaluatePath('$..delivery-partner', d)).toEqual(['UQS']);
    expect(evaluatePath('$.list[?(@.x-y == 2)].x-y', d)).toEqual([2]);
    expect(evaluatePath('$.list[?(@.x-y > 1.5)]', d)).toEqual([{ 'x-y': 2 }]);
  });
});

describe('context object and errors', () => {
  it('enterState, withMapItem and withTaskToken give new views without changing the given one', () => {
    const ctx = context();
    const entered = enterState(ctx, 'Charge', new Date('2026-05-01T00:00:00Z'), 2);
    expect(entered.State).toEqual({ EnteredTime: '2026-05-01T00:00:00.000Z', Name: 'Charge', RetryCount: 2 });
    expect(withTaskToken(entered, 'tok').Task).toEqual({ Token: 'tok' });
    expect(withMapItem(ctx, 3, 'v').Map).toEqual({ Item: { Index: 3, Value: 'v' } });
    expect(ctx).toEqual(context());
  });

  it('asAslError keeps AslErrors and makes anything else States.TaskFailed', () => {
    const e = new AslError('Custom', 'why');
    expect(asAslError(e)).toBe(e);
    expect(asAslError(new Error('boom')).toOutput()).toEqual({ Error: 'States.TaskFailed', Cause: 'boom' });
    expect(asAslError('text').cause).toBe('text');
  });
});
