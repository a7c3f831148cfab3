import { sideBySideSection } from './against-report.js';
import { COST_TARGETS, DAPRD, limitsSection, methodSection, type DaprdFigure } from './report-prose.js';
import { describeMachine, type BenchRun, type Machine } from './run-record.js';
import type { ScenarioResult } from './scenario-kit.js';
import type { StartupFigures } from './startup.js';
import { contractsSection } from './contract-validation.js';
import type { Latency } from './stats.js';
import { workflowsSection } from './workflow-bench.js';

/** docs/benchmarks.md from a (merged) run: machine, method, results, targets and what limits each figure. */

const missing = (n: number | null | undefined) => n === undefined || n === null || Number.isNaN(n);
const ms = (n: number | null | undefined) => (missing(n) ? '–' : n!.toFixed(2));
const signed = (n: number | null | undefined) => (missing(n) ? '–' : `${n! >= 0 ? '+' : ''}${n!.toFixed(2)}`);
const quad = (l: Pick<Latency, 'p50' | 'p90' | 'p99' | 'p999'>, f = ms) => `${f(l.p50)} / ${f(l.p90)} / ${f(l.p99)} / ${f(l.p999)}`;
const triple = (l: Partial<Pick<Latency, 'p50' | 'p90' | 'p99'>>, f = ms) => `${f(l.p50)} / ${f(l.p90)} / ${f(l.p99)}`;
const mb = (n: number) => `${n.toFixed(0)} MB`;

function usageCells(r: ScenarioResult): [string, string] {
  const s = r.sidecar;
  const perRequest = r.mecha.rate ? ` (${Math.round((s.mCpu * 1000) / r.mecha.rate)} µs/req)` : '';
  if (s.processes === 1) return [`${s.mCpu} mCPU${perRequest}`, `${mb(s.rssPeakMb)} / ${mb(s.rssSteadyMb)}`];
  return [
    `${s.each.map((e) => `${e.role} ${e.mCpu}`).join(' + ')} = ${s.mCpu} mCPU${perRequest}`,
    s.each.map((e) => `${e.role} ${mb(e.rssPeakMb)} / ${mb(e.rssSteadyMb)}`).join('; '),
  ];
}

function scenarioTable(rows: ScenarioResult[]): string {
  const lines = rows.map((r) => {
    const problems = [
      r.mecha.errors + (r.baseline?.errors ?? 0) > 0 ? `${r.mecha.errors + (r.baseline?.errors ?? 0)} failed requests` : '',
      (r.mecha.lost ?? 0) + (r.baseline?.lost ?? 0) > 0 ? `${(r.mecha.lost ?? 0) + (r.baseline?.lost ?? 0)} messages not delivered` : '',
    ].filter(Boolean);
    const name = `${r.title}${problems.length > 0 ? ` — **${problems.join(', ')}**` : ''}`;
    const [cpu, rss] = usageCells(r);
    const rate = `${r.baseline?.rate ?? '–'} / ${r.mecha.rate ?? '–'}`;
    return `| ${name} | ${r.baseline ? quad(r.baseline) : 'n/a'} | ${quad(r.mecha)} | ${r.added ? quad(r.added, signed) : 'n/a'} | ${rate} | ${cpu} | ${rss} |`;
  });
  const direct = rows.map((r) => `- ${r.title}: ${r.baselineNote ?? 'n/a'}.`);
  return [
    '| Scenario | Direct p50 / p90 / p99 / p99.9 (ms) | Through Mecha p50 / p90 / p99 / p99.9 (ms) | Added by Mecha (ms) | Achieved req/s direct / Mecha | Sidecar CPU | Sidecar RSS peak / steady |',
    '|---|---|---|---|---|---|---|',
    ...lines,
    '',
    'Direct path of each row:',
    '',
    ...direct,
  ].join('\n');
}

/** The figure to hold against daprd's: the callee sidecar for invocation (as daprd reports), else the one sidecar. */
const comparable = (r: ScenarioResult) => r.sidecar.each.find((e) => e.role === 'callee') ?? r.sidecar;

function targetRow(r: ScenarioResult, d: DaprdFigure): string {
  const half = { p50: d.added.p50 / 2, p90: d.added.p90 / 2, p99: d.added.p99 / 2 };
  const u = comparable(r);
  const latencyOk = r.added ? (['p50', 'p90', 'p99'] as const).filter((p) => !(r.added![p] <= half[p])) : undefined;
  const verdict = [
    latencyOk === undefined ? 'latency: n/a' : latencyOk.length === 0 ? 'latency: yes' : `latency: no (${latencyOk.join(', ')})`,
    `CPU: ${u.mCpu <= d.mCpu ? 'yes' : 'no'}`,
    `memory: ${u.rssSteadyMb <= d.rssMb ? 'yes' : 'no'}`,
  ].join('; ');
  return `| ${r.title} — daprd: ${d.what} | ${triple(d.added, signed)} | ${triple(half, signed)} | ${r.added ? triple(r.added, signed) : 'n/a'} | ${d.mCpu} → ${u.mCpu} mCPU | ${d.rssMb} → ${mb(u.rssSteadyMb)} | ${verdict} |`;
}

function targetsSection(run: BenchRun): string {
  const rows = run.scenarios.filter((r) => DAPRD[r.name]).map((r) => targetRow(r, DAPRD[r.name]!));
  const ready = run.startup?.defaults.readyMsMedian;
  return [
    "Mecha aims at half of daprd's added latency, no more CPU and no more memory than daprd, and ready in under 0.3 s.",
    "daprd's figures are those of its 1.17 release tests (Kubernetes, fortio, 1000 req/s, 16 connections); they were measured",
    'on other hardware, so the comparison says more about proportions than about digits.',
    '',
    '| Scenario (daprd test) | daprd added p50 / p90 / p99 (ms) | Target: half | Mecha added p50 / p90 / p99 (ms) | Sidecar CPU daprd → Mecha | Memory daprd → Mecha (steady RSS) | Within target |',
    '|---|---|---|---|---|---|---|',
    ...(rows.length > 0 ? rows : ['| _no scenario with a daprd figure in this run_ | | | | | | |']),
    '',
    ready === undefined ? 'Startup: not measured in this run.' : `Startup: ${ready} ms median from launch to the first 204 from \`/v1.0/healthz\` with the embedded defaults — ${ready < 300 ? 'within' : 'over'} the 300 ms target.`,
  ].join('\n');
}

/** The rows measured against Mecha itself (metrics, tracing): sidecar CPU off → on, against the CPU target where there is one. */
function costSection(run: BenchRun): string {
  const rows = run.scenarios.filter((r) => r.baselineSidecar).map((r) => {
    const off = r.baselineSidecar!.mCpu;
    const change = off > 0 ? (r.sidecar.mCpu - off) / off : NaN;
    const target = COST_TARGETS[r.name];
    const percent = (n: number) => (Number.isNaN(n) ? '–' : `${n >= 0 ? '+' : ''}${(n * 100).toFixed(0)} %`);
    const verdict = target === undefined ? 'measured, no target' : `${change <= target ? 'yes' : 'no'} (target ${percent(target)})`;
    return `| ${r.title} | ${off} → ${r.sidecar.mCpu} mCPU | ${percent(change)} | ${r.added ? `${signed(r.added.p50)} / ${signed(r.added.p99)}` : 'n/a'} | ${verdict} |`;
  });
  if (rows.length === 0) return '';
  return [
    '## Cost of metrics and tracing',
    '',
    'The "Metrics and tracing" rows above, against the same sidecars with metrics off and tracing at "0". Metrics with',
    'tracing at "0" aim at no more than 10 % more sidecar CPU at this load; tracing every request is measured, with no target.',
    '',
    '| Scenario | Sidecar CPU off → on | CPU change | Added p50 / p99 (ms) | Within target |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function startupSection(run: BenchRun): string {
  const s = run.startup;
  if (!s) return '_Not measured in this run._';
  const row = (what: string, f: StartupFigures) => `| ${what} | ${f.readyMsMedian} ms / ${f.readyMsMin} ms | ${mb(f.idleRssMb)} |`;
  return [
    `| Process | Launch → first healthz 204, median / best of ${s.defaults.runs} | Idle RSS 1 s after ready (median) |`,
    '|---|---|---|',
    row('Bare Node HTTP server answering the health check (the floor)', s.bareNode),
    row('Mecha, embedded defaults (SQLite state, in-memory pub/sub, lock, configuration)', s.defaults),
    row('Mecha, Redis state, lock and configuration + Redis and Kafka pub/sub', s.full),
  ].join('\n');
}

/** A step measured, startup included, with when, at which commit and on which machine (merged results mix runs). */
type MeasuredStep = { name: string; date: string; commit: string; machine: Machine };

function measuredSteps(run: BenchRun): MeasuredStep[] {
  const steps = [...run.scenarios, ...(run.startup ? [{ ...run.startup, name: 'startup' }] : []), ...(run.workflows ? [{ ...run.workflows, name: 'workflows' }] : []), ...(run.contracts ? [{ ...run.contracts, name: 'contracts' }] : [])];
  return steps.map(({ name, date, commit, machine }) => ({ name, date, commit: commit ?? run.mecha.commit, machine: machine ?? run.machine }));
}

/** The value most steps share (first the most common), and the other values with the steps that have them. */
function byMost<T>(steps: MeasuredStep[], key: (s: MeasuredStep) => string, value: (s: MeasuredStep) => T): Array<[T, string[]]> {
  const groups = new Map<string, [T, string[]]>();
  for (const s of steps) {
    const k = key(s);
    if (!groups.has(k)) groups.set(k, [value(s), []]);
    groups.get(k)![1].push(`\`${s.name}\``);
  }
  return [...groups.values()].sort((a, b) => b[1].length - a[1].length);
}

/** The commit most steps were measured at, and the steps measured at another one. */
function measuredCommits(run: BenchRun, steps: MeasuredStep[]): string {
  const [main, ...others] = byMost(steps, (s) => s.commit, (s) => s.commit);
  if (!main) return `commit ${run.mecha.commit}`;
  return `commit ${main[0]}${others.map(([commit, names]) => ` (${names.join(', ')} at ${commit})`).join('')}`;
}

export function renderReport(merged: BenchRun, order: string[] = []): string {
  const steps = measuredSteps(merged);
  // The machine most steps ran on is the report's; steps from another one are named under it.
  const [main, ...otherMachines] = byMost(steps, (s) => describeMachine(s.machine), (s) => s.machine);
  const run = { ...merged, machine: main?.[0] ?? merged.machine };
  const m = run.machine;
  const dates = steps.map((s) => s.date).sort();
  const measured = new Set(steps.map((s) => s.name));
  const notMeasured = order.filter((n) => !measured.has(n) && !run.failures.some((f) => f.name === n));
  const groups = [...new Set(run.scenarios.map((s) => s.group))];
  const cost = costSection(run);
  return `# Benchmarks

What Mecha adds over a direct call, and what it costs in CPU and memory. Generated from
\`bench/results/latest.json\` by \`npm run bench\` (all steps at full length take about 40 minutes;
\`npm run bench -- --only invoke-http\` re-measures one step and merges it into the same results); do not
edit by hand — the text lives in \`bench/harness/report*.ts\`.

${run.quick ? '**Quick mode: these figures prove only that the harness runs; they are not measurements.**\n\n' : ''}Measured ${dates.length > 1 ? `from ${dates[0]} to ${dates.at(-1)}` : `on ${dates[0] ?? run.date}`}, Mecha ${run.mecha.version} at ${measuredCommits(run, steps)}${run.mecha.srcModified ? ' (with uncommitted changes in src/)' : ''}.
${notMeasured.length > 0 ? `\nNot measured yet at these settings: ${notMeasured.map((n) => `\`${n}\``).join(', ')}.\n` : ''}
## Machine

${describeMachine(m)}. The load generator, the sidecars,
the apps and the servers all share these ${m.cores} cores.${otherMachines.map(([other, names]) => `\n\n${names.join(', ')} ran on another machine: ${describeMachine(other)}.`).join('')}

## Method

${methodSection(run)}

## Against the targets

${targetsSection(run)}

## Side by side with daprd

${sideBySideSection(run.against)}

Where Mecha's start time and memory go, what Node.js itself costs before any of Mecha's code runs, and what was
tried: [footprint.md](footprint.md).

## Startup and idle memory

${startupSection(run)}

## Contracts

${contractsSection(run.contracts)}

## Workflows

${workflowsSection(run.workflows)}

${groups.map((g) => `## ${g}\n\n${scenarioTable(run.scenarios.filter((r) => r.group === g))}`).join('\n\n')}
${cost && `\n${cost}`}${run.failures.length > 0 ? `\n## Steps that failed\n\n${run.failures.map((x) => `- \`${x.name}\`: ${x.error}`).join('\n')}\n` : ''}
## What limits each figure

${limitsSection(run)}
`;
}
