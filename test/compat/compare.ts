import { readFileSync } from 'node:fs';
import { packageFile } from '../../src/util/package-files.js';
import { readFixtures, type RunResult } from './corpus.js';
import { stableJson } from './shape.js';
import type { GrpcAnswer, HttpAnswer } from './types.js';

export const ALLOW_LIST_FILE = packageFile('test', 'compat', 'allow-list.json');

export interface Difference {
  key: string;
  expected: unknown;
  actual: unknown;
}

export interface Comparison {
  total: number;
  identical: number;
  /** Differences no allow-list entry covers. */
  unexpected: Difference[];
  /** Allow-list entries that no difference matches any more. */
  stale: string[];
  allowed: number;
  /** Cases whose request changed since the fixtures were recorded, or that have no fixture. */
  unrecorded: string[];
}

/** Allow-list keys are case keys (`http/<family>/<id>`), or a prefix of them ending in `*`. */
function matches(pattern: string, key: string): boolean {
  return pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : pattern === key;
}

export function readAllowList(): Record<string, string> {
  const list = JSON.parse(readFileSync(ALLOW_LIST_FILE, 'utf8')) as Record<string, string>;
  for (const [pattern, reason] of Object.entries(list)) {
    if (typeof reason !== 'string' || reason.trim().length < 10) throw new Error(`allow-list entry ${pattern} needs a reason`);
  }
  return list;
}

/** Compares a run against the recorded fixtures, case by case, and checks the allow-list both ways. */
export function compare(runs: Array<RunResult<HttpAnswer | GrpcAnswer>>, allowList: Record<string, string>): Comparison {
  const recorded = new Map<string, { digest: string; answer: unknown }>();
  for (const file of readFixtures()) {
    for (const r of file.results) recorded.set(`${file.transport}/${file.family}/${r.case.id}`, { digest: r.case.digest, answer: r.answer });
  }
  const result: Comparison = { total: 0, identical: 0, unexpected: [], stale: [], allowed: 0, unrecorded: [] };
  const used = new Set<string>();
  for (const run of runs) {
    for (const r of run.results) {
      const key = `${run.transport}/${run.family}/${r.case.id}`;
      const expected = recorded.get(key);
      if (!expected || expected.digest !== r.case.digest) {
        result.unrecorded.push(key);
        continue;
      }
      result.total++;
      if (stableJson(expected.answer) === stableJson(r.answer)) {
        result.identical++;
        continue;
      }
      const pattern = Object.keys(allowList).find((p) => matches(p, key));
      if (pattern) {
        used.add(pattern);
        result.allowed++;
      } else result.unexpected.push({ key, expected: expected.answer, actual: r.answer });
    }
  }
  result.stale = Object.keys(allowList).filter((p) => !used.has(p));
  return result;
}

export function summaryLine(c: Comparison): string {
  const pct = c.total === 0 ? 0 : (100 * c.identical) / c.total;
  return `compat corpus: ${c.total} cases, ${c.identical} identical to daprd (${pct.toFixed(1)} %), ${c.allowed} allowed differences, ${c.unexpected.length} unexpected`;
}
