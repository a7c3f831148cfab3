import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mergeSideBySide } from './against.js';
import { renderReport } from './report.js';
import type { BenchRun } from './run-record.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = `${ROOT}bench/results/`;
const LATEST = `${RESULTS}latest.json`;
const DOC = `${ROOT}docs/benchmarks.md`;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function sameSettings(a: BenchRun, b: BenchRun): boolean {
  return a.format === b.format && a.quick === b.quick && a.payloadBytes === b.payloadBytes && json(a.load) === json(b.load);
}

const sameMachine = (a: BenchRun, b: BenchRun) => json(a.machine) === json(b.machine);

/** Each step marked with the machine it ran on (the run's own unless it already carries one). */
function withMachines(run: BenchRun): BenchRun {
  const machine = <T extends { machine?: BenchRun['machine'] }>(step: T): T => ({ ...step, machine: step.machine ?? run.machine });
  return { ...run, scenarios: run.scenarios.map(machine), startup: run.startup && machine(run.startup), workflows: run.workflows && machine(run.workflows), contracts: run.contracts && machine(run.contracts) };
}

/**
 * `run` laid over the previous results when both were measured at the same settings (a re-run of some
 * steps replaces just those); otherwise `run` alone. Steps keep the harness's order. When the machines
 * differ, every step keeps the machine it ran on, which the report names.
 */
export function merge(previous: BenchRun | undefined, run: BenchRun, order: string[]): BenchRun {
  if (!previous || !sameSettings(previous, run)) return run;
  if (!sameMachine(previous, run)) [previous, run] = [withMachines(previous), withMachines(run)];
  const rerun = new Set([...run.scenarios.map((s) => s.name), ...run.failures.map((f) => f.name), ...(run.startup ? ['startup'] : []), ...(run.workflows ? ['workflows'] : []), ...(run.contracts ? ['contracts'] : [])]);
  const rank = (name: string) => order.indexOf(name);
  return {
    ...run,
    startup: run.startup ?? previous.startup,
    workflows: run.workflows ?? previous.workflows,
    contracts: run.contracts ?? previous.contracts,
    scenarios: [...previous.scenarios.filter((s) => !rerun.has(s.name)), ...run.scenarios].sort((a, b) => rank(a.name) - rank(b.name)),
    failures: [...previous.failures.filter((f) => !rerun.has(f.name)), ...run.failures],
  };
}

function readLatest(): BenchRun | undefined {
  if (!existsSync(LATEST)) return undefined;
  try {
    return JSON.parse(readFileSync(LATEST, 'utf8')) as BenchRun;
  } catch {
    return undefined; // unreadable: start a new set
  }
}

/** docs/benchmarks.md again from bench/results/latest.json, measuring nothing. */
export function rewriteReport(order: string[]): string {
  const latest = readLatest();
  if (!latest) throw new Error('--report-only: bench/results/latest.json is missing or unreadable; run the benchmarks first');
  writeFileSync(DOC, renderReport(latest, order));
  return 'wrote docs/benchmarks.md from bench/results/latest.json';
}

/** Writes where the options say; returns what it wrote, for the log. */
export function saveResults(run: BenchRun, { out, order }: { out?: string; order: string[] }): string[] {
  if (out) {
    writeFileSync(out, json(run));
    return [`wrote ${out}`];
  }
  if (run.quick) {
    process.stdout.write(json(run));
    return ['quick mode: nothing kept (give --out to keep the JSON)'];
  }
  mkdirSync(RESULTS, { recursive: true });
  const own = `${RESULTS}${run.date.replace(/[:.]/g, '-')}.json`;
  writeFileSync(own, json(run));
  const previous = readLatest();
  // A side-by-side run measures none of the scenarios: it replaces only its own steps in the latest results.
  const merged = run.against
    ? { ...(previous ?? run), against: mergeSideBySide(previous?.against, run.against) }
    : { ...merge(previous, run, order), against: previous?.against };
  writeFileSync(LATEST, json(merged));
  writeFileSync(DOC, renderReport(merged, order));
  return [`wrote ${own}, bench/results/latest.json and docs/benchmarks.md`];
}
