import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { SideBySideRun } from './against.js';
import type { LoadOptions } from './load.js';
import type { ScenarioResult } from './scenario-kit.js';
import type { StartupResult } from './startup.js';
import type { WorkflowResult } from './workflow-bench.js';
import type { ContractFigures } from './contract-validation.js';

export const FORMAT = 2;

/** One run of the harness (or several merged at the same settings), as written to bench/results. */
export interface BenchRun {
  /** Layout of this record; results of another layout are never merged with it. */
  format: typeof FORMAT;
  date: string;
  quick: boolean;
  machine: Machine;
  mecha: ReturnType<typeof mechaBuild>;
  load: LoadOptions;
  payloadBytes: number;
  startup?: StartupResult;
  workflows?: WorkflowResult;
  contracts?: ContractFigures;
  scenarios: ScenarioResult[];
  failures: Array<{ name: string; error: string }>;
  /** Mecha and daprd through the same steps (`--against`); kept apart from the scenarios above. */
  against?: SideBySideRun;
}

export type Machine = ReturnType<typeof machine>;

export const describeMachine = (m: Machine) => `${m.cores} × ${m.cpu}, ${m.memoryGb} GiB, Linux ${m.kernel}, Node ${m.node}`;

export function machine() {
  const c = cpus();
  return { cpu: c[0]?.model.trim() ?? 'unknown', cores: c.length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, kernel: release() };
}

const git = (...args: string[]) => {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

/** Which Mecha was measured: package version, commit, and whether src/ had uncommitted changes. */
export function mechaBuild() {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return { version, commit: git('rev-parse', '--short', 'HEAD') || 'unknown', srcModified: git('status', '--porcelain', '--', 'src') !== '' };
}
