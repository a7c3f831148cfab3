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

  it('writes the same text on either side of the depth where it stops recursing', () => {
    for (const depth of [62, 63, 64, 65, 66, 200]) {
      const text = '{"b":['.repeat(depth) + '{"z":1,"a":"<"}' + ']}'.repeat(depth);
      const sorted = '{"b":['.repeat(depth) + '{"a":"<","z":1}' + ']}'.repeat(depth);
      expect(stringifyJson(JSON.parse(text))).toBe(text);
      expect(stringifyJson(JSON.parse(text), { sortKeys: true })).toBe(sorted);
    }
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
