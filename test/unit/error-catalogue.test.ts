import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Errors } from '../../src/errors/codes.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map(([, code, http]) => [code, http.split('/').map((s) => Number(s.trim()))]),
);

describe('error catalogue and docs/errors.md', () => {
  it('documents every code with each HTTP status it can have', () => {
    for (const kind of Object.values(Errors)) {
      expect(documented.has(kind.code), kind.code).toBe(true);
      expect(documented.get(kind.code), kind.code).toContain(kind.http);
    }
  });

  it('documents no code the catalogue lacks', () => {
    const codes = new Set(Object.values(Errors).map((k) => k.code));
    for (const code of documented.keys()) expect(codes.has(code), code).toBe(true);
  });
});
