import { describe, expect, it } from 'vitest';
import { AslError, IntrinsicSyntaxError, evaluateIntrinsic, intrinsics, parseIntrinsic, payloadTemplate } from '../../../../src/workflows/asl/index.js';
import { aslFailure, context } from './fixtures.js';

const run = (expr: string, input: unknown = {}, env = {}) => evaluateIntrinsic(expr, input, context(), env);


// Expected values below are the spec's "Intrinsic Functions" examples unless noted.
describe('intrinsic functions', () => {
  it('States.Format, with \\\' and \\{ escapes', () => {
    expect(run("States.Format('Welcome to {} {}\\'s playlist.', $.firstName, $.lastName)", { firstName: 'John', lastName: 'Doe' })).toBe("Welcome to John Doe's playlist.");
    expect(run("States.Format('\\{}{} {}', 1, null)")).toBe('{}1 null');
    expect(aslFailure(() => run("States.Format('{} {}', 1)")).cause).toMatch(/States.Format: .*more \{\}/);
    expect(aslFailure(() => run("States.Format('{}', $.o)", { o: { a: 1 } })).cause).toContain('argument 2');
  });

  it('States.StringToJson and States.JsonToString', () => {
    expect(run('States.StringToJson($.someString)', { someString: '{"number": 20}' })).toEqual({ number: 20 });
    expect(run('States.JsonToString($.someJson)', { someJson: { name: 'Foo', year: 2020 } })).toBe('{"name":"Foo","year":2020}');
    expect(aslFailure(() => run("States.StringToJson('{nope')")).cause).toBe('States.StringToJson: argument 1 is not valid JSON text');
  });

  it('States.Array', () => {
    expect(run("States.Array('Foo', 2020, $.someJson, null)", { someJson: { random: 'abcdefg' } })).toEqual(['Foo', 2020, { random: 'abcdefg' }, null]);
    expect(run('States.Array()')).toEqual([]);
  });

  it('array functions', () => {
    const input = { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9], lookingFor: 5, index: 5 };
    expect(run('States.ArrayPartition($.inputArray, 4)', input)).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
    expect(run('States.ArrayContains($.inputArray, $.lookingFor)', input)).toBe(true);
    expect(run("States.ArrayContains(States.Array(States.Array(1)), States.Array(1))")).toBe(true);
    expect(run('States.ArrayRange(1, 9, 2)')).toEqual([1, 3, 5, 7, 9]);
    expect(run('States.ArrayRange(5, 1, -2)')).toEqual([5, 3, 1]);
    expect(run('States.ArrayGetItem($.inputArray, $.index)', input)).toBe(6);
    expect(run('States.ArrayLength($.inputArray)', input)).toBe(9);
    expect(run('States.ArrayUnique($.inputArray)', { inputArray: [1, 2, 3, 3, 3, 3, 3, 3, 4] })).toEqual([1, 2, 3, 4]);
    expect(aslFailure(() => run('States.ArrayPartition($.inputArray, 0)', input)).cause).toBe('States.ArrayPartition: argument 2 must be at least 1, got 0');
    expect(aslFailure(() => run('States.ArrayGetItem($.inputArray, 9)', input)).cause).toContain('out of range');
    expect(aslFailure(() => run('States.ArrayLength($.lookingFor)', input)).cause).toBe('States.ArrayLength: argument 1 must be an array, got 5');
    expect(aslFailure(() => run('States.ArrayRange(1, 5000, 1)')).cause).toContain('more than 1000');
  });

  it('States.Base64Encode and States.Base64Decode', () => {
    expect(run('States.Base64Encode($.input)', { input: 'Data to encode' })).toBe('RGF0YSB0byBlbmNvZGU=');
    expect(run('States.Base64Decode($.base64)', { base64: 'RGF0YSB0byBlbmNvZGU=' })).toBe('Data to encode');
    expect(aslFailure(() => run("States.Base64Decode('not base64!')")).error).toBe('States.IntrinsicFailure');
  });

  // MD5 and SHA-2 digests of "input data" computed with coreutils (md5sum, sha256sum, ...).
  it('States.Hash with every algorithm', () => {
    const input = { Data: 'input data' };
    expect(run("States.Hash($.Data, 'SHA-1')", input)).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(run("States.Hash($.Data, 'MD5')", input)).toBe('812f45842bc6d66ee14572ce20db8e86');
    expect(run("States.Hash($.Data, 'SHA-256')", input)).toBe('b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3');
    expect(run("States.Hash($.Data, 'SHA-384')", input)).toBe('d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562');
    expect(run("States.Hash($.Data, 'SHA-512')", input)).toBe(
      '6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4',
    );
    expect(aslFailure(() => run("States.Hash($.Data, 'SHA-3')", input)).cause).toMatch(/argument 2 must be one of MD5, SHA-1/);
  });

  it('States.JsonMerge is shallow', () => {
    const input = { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } };
    expect(run('States.JsonMerge($.json1, $.json2, false)', input)).toEqual({ a: { a3: 1, a4: 2 }, b: 2, c: 3 });
    expect(aslFailure(() => run('States.JsonMerge($.json1, $.json2, true)', input)).cause).toContain('argument 3 must be false');
  });

  it('States.MathRandom and States.UUID use the injected sources', () => {
    expect(run('States.MathRandom($.start, $.end)', { start: 1, end: 999 }, { random: () => 0.5 })).toBe(500);
    expect(run('States.MathRandom(1, 999, 1234)', {}, { random: () => 0 })).toBe(1);
    expect(run('States.MathRandom(1, 999)', {}, { random: () => 0.999999 })).toBe(998);
    expect(run('States.UUID()', {}, { uuid: () => 'ca4c1140-dcc1-40cd-ad05-7b4aa23df4a8' })).toBe('ca4c1140-dcc1-40cd-ad05-7b4aa23df4a8');
    expect(aslFailure(() => run('States.UUID()')).cause).toContain('no uuid source');
    expect(aslFailure(() => run('States.MathRandom(5, 5)', {}, { random: () => 0 })).cause).toContain('must be greater');
  });

  it('States.MathAdd', () => {
    expect(run('States.MathAdd($.value1, $.step)', { value1: 111, step: -1 })).toBe(110);
    expect(aslFailure(() => run('States.MathAdd(1.5, 1)')).cause).toBe('States.MathAdd: argument 1 must be an integer, got 1.5');
  });

  it('States.StringSplit splits on each delimiter character', () => {
    expect(run('States.StringSplit($.inputString, $.splitter)', { inputString: '1,2,3,4,5', splitter: ',' })).toEqual(['1', '2', '3', '4', '5']);
    expect(run('States.StringSplit($.inputString, $.splitter)', { inputString: 'This.is+a,test=string', splitter: '.+,=' })).toEqual(['This', 'is', 'a', 'test', 'string']);
  });

  it('nested calls, context paths and arity errors', () => {
    expect(run("States.Format('{}-{}', States.ArrayLength(States.Array(1, 2)), $$.Execution.Name)")).toBe('2-run-1');
    expect(aslFailure(() => run('States.ArrayLength()')).cause).toBe('States.ArrayLength: takes 1 argument(s), got 0');
    expect(aslFailure(() => run('States.Nope(1)')).cause).toBe('States.Nope: is not a known intrinsic function');
    expect(aslFailure(() => run('States.ArrayLength($.missing)')).cause).toBe('States.ArrayLength: argument 1: the path "$.missing" matched nothing');
  });

  it('inside payload templates', () => {
    expect(payloadTemplate({ 'id.$': 'States.UUID()', 'n.$': 'States.MathAdd($.a, 1)' }, { a: 1 }, context(), { uuid: () => 'u-1' })).toEqual({ id: 'u-1', n: 2 });
  });
});

describe('intrinsic parser', () => {
  it('parses literals, paths with brackets and commas, and nested calls', () => {
    expect(parseIntrinsic("States.Array('a\\'b', -1.5e2, true, null, $.x['a,b'], $.y[?(@.z == 'q)')], States.UUID())")).toEqual({
      kind: 'call',
      name: 'States.Array',
      args: [
        { kind: 'string', value: "a'b", raw: "a\\'b" },
        { kind: 'number', value: -150 },
        { kind: 'literal', value: true },
        { kind: 'literal', value: null },
        { kind: 'path', path: "$.x['a,b']" },
        { kind: 'path', path: "$.y[?(@.z == 'q)')]" },
        { kind: 'call', name: 'States.UUID', args: [] },
      ],
    });
    expect(intrinsics.functions).toContain('States.JsonMerge');
    expect(intrinsics.functions).toHaveLength(18);
  });

  it('reports the position of syntax errors', () => {
    for (const [bad, message] of [
      ["States.Format('abc", 'unterminated string'],
      ['States.Format(1 2)', 'expected "," or ")"'],
      ['States.Format(1', 'missing ")"'],
      ['States.Format(1) x', 'unexpected text'],
      ['States.Format(foo)', 'expected a string, number'],
      ["States.Format('\\n')", 'may be escaped'],
      ['States.Array($.a[)', 'not a valid path'],
      ['Format(1)', 'expected a function name'],
    ]) {
      expect(() => parseIntrinsic(bad), bad).toThrow(IntrinsicSyntaxError);
      expect(() => parseIntrinsic(bad), bad).toThrow(message);
    }
    expect(aslFailure(() => run('States.Format(1')).error).toBe('States.IntrinsicFailure');
  });
});
