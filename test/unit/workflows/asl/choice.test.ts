import { describe, expect, it } from 'vitest';
import { AslError, evaluateChoice, matchesRule, type ChoiceRule, type ChoiceState } from '../../../../src/workflows/asl/index.js';

const rule = (r: ChoiceRule) => (input: unknown) => matchesRule(r, input);

describe('Choice', () => {
  // Spec "Choice State": the ChoiceStateX example.
  const choiceX: ChoiceState = {
    Type: 'Choice',
    Choices: [
      { Not: { Variable: '$.type', StringEquals: 'Private' }, Next: 'Public' },
      {
        And: [
          { Variable: '$.value', IsPresent: true },
          { Variable: '$.value', IsNumeric: true },
          { Variable: '$.value', NumericGreaterThanEquals: 20 },
          { Variable: '$.value', NumericLessThan: 30 },
        ],
        Next: 'ValueInTwenties',
      },
      { Variable: '$.rating', NumericGreaterThanPath: '$.auditThreshold', Next: 'StartAudit' },
    ],
    Default: 'RecordEvent',
  };

  it('follows the spec example', () => {
    expect(evaluateChoice(choiceX, { type: 'Private', value: 22 })).toBe('ValueInTwenties');
    expect(evaluateChoice(choiceX, { type: 'Public', value: 22 })).toBe('Public');
    expect(evaluateChoice(choiceX, { type: 'Private', value: 35, rating: 60, auditThreshold: 50 })).toBe('StartAudit');
    expect(evaluateChoice(choiceX, { type: 'Private', value: 35, rating: 10, auditThreshold: 50 })).toBe('RecordEvent');
  });

  it('without Default, no match is States.NoChoiceMatched', () => {
    const state: ChoiceState = { Type: 'Choice', Choices: [{ Variable: '$.a', NumericEquals: 1, Next: 'A' }] };
    expect(() => evaluateChoice(state, { a: 2 })).toThrow(AslError);
    try {
      evaluateChoice(state, { a: 2 });
    } catch (e) {
      expect((e as AslError).error).toBe('States.NoChoiceMatched');
    }
  });

  it('string comparisons and their Path forms', () => {
    const v = { s: 'b', lo: 'a', same: 'b', hi: 'c' };
    expect(rule({ Variable: '$.s', StringEquals: 'b' })(v)).toBe(true);
    expect(rule({ Variable: '$.s', StringEqualsPath: '$.same' })(v)).toBe(true);
    expect(rule({ Variable: '$.s', StringLessThan: 'c' })(v)).toBe(true);
    expect(rule({ Variable: '$.s', StringLessThanPath: '$.lo' })(v)).toBe(false);
    expect(rule({ Variable: '$.s', StringGreaterThan: 'a' })(v)).toBe(true);
    expect(rule({ Variable: '$.s', StringGreaterThanPath: '$.hi' })(v)).toBe(false);
    expect(rule({ Variable: '$.s', StringLessThanEquals: 'b' })(v)).toBe(true);
    expect(rule({ Variable: '$.s', StringLessThanEqualsPath: '$.lo' })(v)).toBe(false);
    expect(rule({ Variable: '$.s', StringGreaterThanEquals: 'b' })(v)).toBe(true);
    expect(rule({ Variable: '$.s', StringGreaterThanEqualsPath: '$.hi' })(v)).toBe(false);
  });

  // Spec "Choice Rules": foo*.log matches foo23.log, *.log matches zebra.log, foo*.* matches foobar.zebra.
  it('StringMatches with * wildcards and \\* escapes', () => {
    const m = (pattern: string, value: string) => rule({ Variable: '$', StringMatches: pattern })(value);
    expect(m('foo*.log', 'foo23.log')).toBe(true);
    expect(m('*.log', 'zebra.log')).toBe(true);
    expect(m('foo*.*', 'foobar.zebra')).toBe(true);
    expect(m('log-*.txt', 'log-2020.csv')).toBe(false);
    expect(m('a\\*b', 'a*b')).toBe(true);
    expect(m('a\\*b', 'axxb')).toBe(false);
    expect(m('a\\\\b', 'a\\b')).toBe(true);
    expect(m('a.c', 'abc')).toBe(false);
    expect(m('*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
  });

  it('numeric comparisons and their Path forms', () => {
    const v = { n: 5, five: 5, four: 4, six: 6 };
    expect(rule({ Variable: '$.n', NumericEquals: 5 })(v)).toBe(true);
    expect(rule({ Variable: '$.n', NumericEqualsPath: '$.five' })(v)).toBe(true);
    expect(rule({ Variable: '$.n', NumericLessThan: 6 })(v)).toBe(true);
    expect(rule({ Variable: '$.n', NumericLessThanPath: '$.four' })(v)).toBe(false);
    expect(rule({ Variable: '$.n', NumericGreaterThan: 4.5 })(v)).toBe(true);
    expect(rule({ Variable: '$.n', NumericGreaterThanPath: '$.six' })(v)).toBe(false);
    expect(rule({ Variable: '$.n', NumericLessThanEquals: 5 })(v)).toBe(true);
    expect(rule({ Variable: '$.n', NumericLessThanEqualsPath: '$.four' })(v)).toBe(false);
    expect(rule({ Variable: '$.n', NumericGreaterThanEquals: 5 })(v)).toBe(true);
    expect(rule({ Variable: '$.n', NumericGreaterThanEqualsPath: '$.six' })(v)).toBe(false);
  });

  it('boolean comparisons', () => {
    expect(rule({ Variable: '$.b', BooleanEquals: true })({ b: true })).toBe(true);
    expect(rule({ Variable: '$.b', BooleanEqualsPath: '$.c' })({ b: false, c: false })).toBe(true);
    expect(rule({ Variable: '$.b', BooleanEquals: true })({ b: 'true' })).toBe(false);
  });

  it('timestamp comparisons and their Path forms compare instants, not text', () => {
    const v = { t: '2026-01-01T10:00:00Z', same: '2026-01-01T11:00:00+01:00', later: '2026-01-01T10:00:00.5Z' };
    expect(rule({ Variable: '$.t', TimestampEquals: '2026-01-01T12:00:00+02:00' })(v)).toBe(true);
    expect(rule({ Variable: '$.t', TimestampEqualsPath: '$.same' })(v)).toBe(true);
    expect(rule({ Variable: '$.t', TimestampLessThan: '2026-01-01T10:00:01Z' })(v)).toBe(true);
    expect(rule({ Variable: '$.t', TimestampLessThanPath: '$.later' })(v)).toBe(true);
    expect(rule({ Variable: '$.t', TimestampGreaterThan: '2025-12-31T23:59:59Z' })(v)).toBe(true);
    expect(rule({ Variable: '$.t', TimestampGreaterThanPath: '$.later' })(v)).toBe(false);
    expect(rule({ Variable: '$.t', TimestampLessThanEquals: '2026-01-01T10:00:00Z' })(v)).toBe(true);
    expect(rule({ Variable: '$.t', TimestampLessThanEqualsPath: '$.same' })(v)).toBe(true);
    expect(rule({ Variable: '$.t', TimestampGreaterThanEquals: '2026-01-01T10:00:00Z' })(v)).toBe(true);
    expect(rule({ Variable: '$.t', TimestampGreaterThanEqualsPath: '$.later' })(v)).toBe(false);
    expect(rule({ Variable: '$.t', TimestampEquals: '2026-01-01' })(v)).toBe(false);
  });

  it('type tests, with false meaning "is not"', () => {
    const v = { nul: null, num: 1.5, str: 'x', bool: false, ts: '2016-03-14T01:59:00Z', badTs: '2016-02-30T01:59:00Z' };
    expect(rule({ Variable: '$.nul', IsNull: true })(v)).toBe(true);
    expect(rule({ Variable: '$.num', IsNull: false })(v)).toBe(true);
    expect(rule({ Variable: '$.num', IsNumeric: true })(v)).toBe(true);
    expect(rule({ Variable: '$.str', IsNumeric: true })(v)).toBe(false);
    expect(rule({ Variable: '$.str', IsString: true })(v)).toBe(true);
    expect(rule({ Variable: '$.bool', IsBoolean: true })(v)).toBe(true);
    expect(rule({ Variable: '$.ts', IsTimestamp: true })(v)).toBe(true);
    expect(rule({ Variable: '$.badTs', IsTimestamp: true })(v)).toBe(false);
    expect(rule({ Variable: '$.missing', IsPresent: false })(v)).toBe(true);
    expect(rule({ Variable: '$.nul', IsPresent: true })(v)).toBe(true);
  });

  // Spec "Choice Rules": a type mismatch between the Variable and the operand is no match.
  it('type mismatches do not match', () => {
    expect(rule({ Variable: '$.v', NumericEquals: 1 })({ v: '1' })).toBe(false);
    expect(rule({ Variable: '$.v', StringEquals: '1' })({ v: 1 })).toBe(false);
    expect(rule({ Variable: '$.v', NumericGreaterThanPath: '$.w' })({ v: 2, w: '1' })).toBe(false);
  });

  it('Or and nested combinators', () => {
    const r = rule({ Or: [{ Variable: '$.a', NumericEquals: 1 }, { Not: { Or: [{ Variable: '$.b', IsNull: false }] } }] });
    expect(r({ a: 1, b: 2 })).toBe(true);
    expect(r({ a: 2, b: null })).toBe(true);
    expect(r({ a: 2, b: 3 })).toBe(false);
  });

  it('a Variable matching nothing is States.Runtime (only IsPresent tolerates it)', () => {
    expect(() => rule({ Variable: '$.missing', StringEquals: 'x' })({})).toThrow(/States.Runtime.*\$\.missing/);
    expect(() => rule({ Variable: '$.a', NumericEqualsPath: '$.missing' })({ a: 1 })).toThrow(/NumericEqualsPath/);
  });
});
