import { readFileSync } from 'node:fs';
import { packageFile } from '../../src/util/package-files.js';
import { readFixtures, type RunResult } from './corpus.js';
import { stableJson, withoutAddedAttributes } from './shape.js';
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
  /** Allow-listed cases that now answer as daprd does. */
  stale: string[];
  allowed: number;
  /** Cases whose request changed since the fixtures were recorded, or that have no fixture. */
  unrecorded: string[];
}

/** One deliberate or not-yet-aligned difference: why, and the cases (`http/<family>/<id>`) it covers. */
export interface AllowedDifference {
  reason: string;
  cases: string[];
}

export function readAllowList(): Map<string, string> {
  const list = JSON.parse(readFileSync(ALLOW_LIST_FILE, 'utf8')) as AllowedDifference[];
  const reasons = new Map<string, string>();
  for (const entry of list) {
    if (typeof entry.reason !== 'string' || entry.reason.trim().length < 20) throw new Error(`allow-list entry for ${entry.cases?.[0]} needs a reason`);
    for (const key of entry.cases) {
      if (reasons.has(key)) throw new Error(`allow-list names ${key} twice`);
      reasons.set(key, entry.reason);
    }
  }
  return reasons;
}

/** Compares a run against the recorded fixtures, case by case, and checks the allow-list both ways. */
export function compare(runs: Array<RunResult<HttpAnswer | GrpcAnswer>>, allowList: Map<string, string>): Comparison {
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
      if (stableJson(expected.answer) === stableJson(withoutAddedAttributes(r.answer, expected.answer))) {
        result.identical++;
        continue;
      }
      if (allowList.has(key)) {
        used.add(key);
        result.allowed++;
      } else result.unexpected.push({ key, expected: expected.answer, actual: r.answer });
    }
  }
  result.stale = [...allowList.keys()].filter((key) => !used.has(key));
  return result;
}

export function summaryLine(c: Comparison): string {
  const pct = c.total === 0 ? 0 : (100 * c.identical) / c.total;
  return `compat corpus: ${c.total} cases, ${c.identical} identical to daprd (${pct.toFixed(1)} %), ${c.allowed} allowed differences, ${c.unexpected.length} unexpected`;
}
