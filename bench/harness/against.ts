import { sideBySideSteps, type Figures, type Launch, type SideBySideStep } from './against-steps.js';
import { startDaprd, type Daprd } from './daprd.js';
import type { LoadOptions } from './load.js';
import { startSidecar } from './processes.js';
import type { Env } from './scenario-kit.js';

/** `--against <daprd>`: every side-by-side step through Mecha and daprd in one run, alternating. */

export const SIDECARS = ['mecha', 'daprd'] as const;
export type SidecarName = (typeof SIDECARS)[number];

export interface Comparison {
  name: string;
  title: string;
  date: string;
  commit?: string;
  /** Figure name → one value per round, per sidecar (the report takes medians). */
  mecha: Record<string, number[]>;
  daprd: Record<string, number[]>;
}

export interface SideBySideRun {
  date: string;
  daprd: { version: string };
  load: LoadOptions;
  payloadBytes: number;
  quick: boolean;
  steps: Comparison[];
  failures: Array<{ name: string; error: string }>;
}

export const sideBySideNames = sideBySideSteps.map((s) => s.name);

function append(into: Record<string, number[]>, figures: Figures): void {
  for (const [k, v] of Object.entries(figures)) (into[k] ??= []).push(v);
}

/**
 * Round r runs Mecha first when r is even and daprd first when odd, so neither always meets the machine
 * warmer or busier than the other (it is shared, its load drifts).
 */
async function compare(step: SideBySideStep, launchers: Record<SidecarName, Launch>, env: Env, quick: boolean, commit: string): Promise<Comparison> {
  const out: Comparison = { name: step.name, title: step.title, date: new Date().toISOString(), commit, mecha: {}, daprd: {} };
  const rounds = step.rounds(quick);
  for (let r = 0; r < rounds; r++) {
    for (const who of r % 2 === 0 ? SIDECARS : [...SIDECARS].reverse()) append(out[who], await step.once(launchers[who], env));
  }
  return out;
}

export async function runSideBySide(opts: { daprd: Daprd; env: Env; quick: boolean; only: string[]; commit: string; log: (m: string) => void }): Promise<SideBySideRun> {
  const { daprd, env, quick, commit, log } = opts;
  const launchers: Record<SidecarName, Launch> = { mecha: startSidecar, daprd: (args, home) => startDaprd(daprd, args, home) };
  const run: SideBySideRun = { date: new Date().toISOString(), daprd: { version: daprd.version }, load: env.load, payloadBytes: env.payloadBytes, quick, steps: [], failures: [] };
  for (const step of sideBySideSteps.filter((s) => opts.only.includes(s.name))) {
    log(`${step.name} against daprd ${daprd.version}: ${step.rounds(quick)} round(s) each, alternating`);
    try {
      run.steps.push(await compare(step, launchers, env, quick, commit));
    } catch (err) {
      log(`${step.name} failed: ${(err as Error).stack ?? err}`);
      run.failures.push({ name: step.name, error: (err as Error).message });
    }
  }
  return run;
}

const sameSettings = (a: SideBySideRun, b: SideBySideRun) =>
  a.quick === b.quick && a.payloadBytes === b.payloadBytes && JSON.stringify(a.load) === JSON.stringify(b.load) && a.daprd.version === b.daprd.version;

/** `run`'s steps laid over `previous`'s at the same settings (a re-run of some steps replaces just those), in the steps' order. */
export function mergeSideBySide(previous: SideBySideRun | undefined, run: SideBySideRun): SideBySideRun {
  if (!previous || !sameSettings(previous, run)) return run;
  const rerun = new Set([...run.steps.map((s) => s.name), ...run.failures.map((f) => f.name)]);
  const rank = (name: string) => sideBySideNames.indexOf(name);
  return {
    ...run,
    steps: [...previous.steps.filter((s) => !rerun.has(s.name)), ...run.steps].sort((a, b) => rank(a.name) - rank(b.name)),
    failures: [...previous.failures.filter((f) => !rerun.has(f.name)), ...run.failures],
  };
}
