import { describe, expect, it } from 'vitest';
import { depthExceededAt, stringifyJson } from '../../src/util/json-text.js';

describe('stringifyJson', () => {
  it('writes what JSON.stringify writes for parsed JSON', () => {
    const samples = ['{"b":1,"a":[true,null,"x\\"y",-0,1e21,{"c":{}}],"":[]}', '"\\u2028<>&"', '[[],[[]],{}]', '123.5', 'null'];
    for (const text of samples) expect(stringifyJson(JSON.parse(text))).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('sorts keys at every level when asked', () => {
    expect(stringifyJson({ b: { d: 1, c: 2 }, a: [{ z: 1, y: 2 }] }, { sortKeys: true })).toBe('{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}');
  });

  it('encodes nesting far deeper than the call stack allows', () => {
    const text = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(stringifyJson(JSON.parse(text))).toBe(text);
  });
});

describe('depthExceededAt', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(depthExceededAt('[{"a":"[[[["}]', 2)).toBeUndefined();
    expect(depthExceededAt('[{"a":["x"]}]', 2)).toBe('[');
    expect(depthExceededAt('[{"a\\"[":{}}]', 2)).toBe('{');
  });
});
