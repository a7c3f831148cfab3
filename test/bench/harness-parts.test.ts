import { describe, expect, it } from 'vitest';
import { mergeSideBySide, type Comparison, type SideBySideRun } from '../../bench/harness/against.js';
import { slotMs } from '../../bench/harness/load.js';
import { parseOptions } from '../../bench/harness/options.js';
import { renderReport } from '../../bench/harness/report.js';
import { merge } from '../../bench/harness/results.js';
import type { BenchRun } from '../../bench/harness/run-record.js';
import type { ScenarioResult } from '../../bench/harness/scenario-kit.js';
import { summarize } from '../../bench/harness/stats.js';

const STEPS = ['startup', 'state-get-memory', 'invoke-http'];
const load = { rate: 1000, connections: 16, durationS: 60, warmupS: 5 };

function scenario(name: string, p50: number): ScenarioResult {
  const l = { count: 60_000, errors: 0, rate: 1000, p50, p90: p50 * 2, p99: p50 * 4, p999: p50 * 8 };
  const usage = { mCpu: 50, rssPeakMb: 70, rssSteadyMb: 60 };
  return {
    name, group: 'State', title: `title of ${name}`, date: '2026-01-01T00:00:00.000Z', commit: 'abc1234', baselineNote: 'a Map',
    baseline: { ...l, p50: 0.1, p90: 0.2, p99: 0.4, p999: 0.8 }, mecha: l, added: { p50: p50 - 0.1, p90: p50 * 2 - 0.2, p99: p50 * 4 - 0.4, p999: p50 * 8 - 0.8 },
    sidecar: { ...usage, processes: 1, each: [{ role: 'sidecar', ...usage }] },
  };
}

function benchRun(scenarios: ScenarioResult[], over: Partial<BenchRun> = {}): BenchRun {
  return {
    format: 2, date: '2026-01-01T00:00:00.000Z', quick: false, load, payloadBytes: 1024, scenarios, failures: [],
    machine: { cpu: 'Some CPU', cores: 2, memoryGb: 8, node: 'v20.0.0', kernel: '6.0' },
    mecha: { version: '0.1.0', commit: 'abc1234', srcModified: false },
    ...over,
  };
}

describe('benchmark harness parts', () => {
  it('takes exact nearest-rank percentiles', () => {
    const s = summarize(Array.from({ length: 1000 }, (_, i) => 1000 - i), 3);
    expect(s).toEqual({ count: 1000, errors: 3, p50: 500, p90: 900, p99: 990, p999: 999 });
    expect(Number.isNaN(summarize([]).p50)).toBe(true);
  });

  it('spreads every connection evenly and interleaves them', () => {
    const slots = Array.from({ length: 16 }, (_, c) => [0, 1, 2].map((k) => slotMs(load, c, k))).flat().sort((a, b) => a - b);
    expect(slots.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i)); // one request per ms at 1000 req/s
    expect(slotMs(load, 3, 2) - slotMs(load, 3, 1)).toBe(16);
  });

  it('reads the command line and refuses bad values naming the flag', () => {
    expect(parseOptions([], STEPS)).toMatchObject({ quick: false, load, payloadBytes: 1024, steps: STEPS });
    expect(parseOptions(['--quick', '--only', 'invoke-http,startup'], STEPS)).toMatchObject({ load: { rate: 200, durationS: 2, warmupS: 0.5 }, steps: ['startup', 'invoke-http'] });
    expect(() => parseOptions(['--rate', '0'], STEPS)).toThrow(/--rate: expected a number ≥ 1, got "0"/);
    expect(() => parseOptions(['--connections', '2.5'], STEPS)).toThrow(/--connections: expected an integer/);
    expect(() => parseOptions(['--only', 'state-get,invoke-http'], STEPS)).toThrow(/--only: unknown step "state-get"/);
    expect(() => parseOptions(['--bogus'], STEPS)).toThrow(/bogus/);
  });

  it('merges a partial re-run into earlier results at the same settings, and only then', () => {
    const before = benchRun([scenario('state-get-memory', 1), scenario('invoke-http', 2)], { failures: [{ name: 'startup', error: 'x' }] });
    const rerun = benchRun([scenario('state-get-memory', 3)], { date: '2026-02-01T00:00:00.000Z' });
    const merged = merge(before, rerun, STEPS);
    expect(merged.scenarios.map((s) => [s.name, s.mecha.p50])).toEqual([['state-get-memory', 3], ['invoke-http', 2]]);
    expect(merged.failures).toEqual([{ name: 'startup', error: 'x' }]);
    expect(merge(before, { ...rerun, load: { ...load, rate: 500 } }, STEPS).scenarios).toHaveLength(1);
    expect(merge({ ...before, format: 1 } as unknown as BenchRun, rerun, STEPS).scenarios).toHaveLength(1);
    expect(merge(undefined, rerun, STEPS)).toBe(rerun);
  });

  it('keeps the machine of each step when merging results from another machine, and the report names it', () => {
    const before = benchRun([scenario('state-get-memory', 1), scenario('invoke-http', 2)]);
    const elsewhere = { cpu: 'Other CPU', cores: 2, memoryGb: 8, node: 'v20.0.0', kernel: '6.0' };
    const merged = merge(before, benchRun([scenario('invoke-http', 3)], { machine: elsewhere }), STEPS);
    expect(merged.scenarios.map((s) => [s.name, s.machine?.cpu])).toEqual([['state-get-memory', 'Some CPU'], ['invoke-http', 'Other CPU']]);
    const doc = renderReport(merged, STEPS);
    expect(doc).toContain('2 × Some CPU, 8 GiB, Linux 6.0, Node v20.0.0. The load generator');
    expect(doc).toContain('`invoke-http` ran on another machine: 2 × Other CPU, 8 GiB, Linux 6.0, Node v20.0.0.');
    expect(merge(before, benchRun([scenario('invoke-http', 3)]), STEPS).scenarios.every((s) => s.machine === undefined)).toBe(true);
  });

  it('renders the report with the daprd comparison and what is missing', () => {
    const doc = renderReport(benchRun([scenario('state-get-memory', 0.2)]), STEPS);
    expect(doc).toContain('2 × Some CPU, 8 GiB');
    expect(doc).toContain('| title of state-get-memory | 0.10 / 0.20 / 0.40 / 0.80 | 0.20 / 0.40 / 0.80 / 1.60 | +0.10 / +0.20 / +0.40 / +0.80 | 1000 / 1000 | 50 mCPU (50 µs/req) | 70 MB / 60 MB |');
    expect(doc).toMatch(/\| title of state-get-memory — daprd: state get over HTTP, in-memory store \| \+0\.28 \/ \+0\.71 \/ \+0\.98 \| \+0\.14 \/ \+0\.35 \/ \+0\.49 \| \+0\.10 \/ \+0\.20 \/ \+0\.40 \| 57 → 50 mCPU \| 48 → 60 MB \| latency: yes; CPU: yes; memory: no \|/);
    expect(doc).toContain('Not measured yet at these settings: `startup`, `invoke-http`.');
    expect(doc).toContain('- title of state-get-memory: a Map.');
    expect(doc).toContain('Mecha 0.1.0 at commit abc1234.');
  });

  it('renders the cost rows of metrics and tracing against the same sidecars with both off', () => {
    const cost = (name: string, offMCpu: number, onMCpu: number): ScenarioResult => {
      const r = scenario(name, 0.2);
      return { ...r, group: 'Metrics and tracing', sidecar: { ...r.sidecar, mCpu: onMCpu }, baselineSidecar: { ...r.sidecar, mCpu: offMCpu } };
    };
    const doc = renderReport(benchRun([cost('state-get-memory-metrics', 100, 108), cost('invoke-http-metrics', 400, 460), cost('invoke-http-tracing', 400, 700)]), STEPS);
    expect(doc).toContain('## Cost of metrics and tracing');
    expect(doc).toContain('| title of state-get-memory-metrics | 100 → 108 mCPU | +8 % | +0.10 / +0.40 | yes (target +10 %) |');
    expect(doc).toContain('| title of invoke-http-metrics | 400 → 460 mCPU | +15 % | +0.10 / +0.40 | no (target +10 %) |');
    expect(doc).toContain('| title of invoke-http-tracing | 400 → 700 mCPU | +75 % | +0.10 / +0.40 | measured, no target |');
    expect(renderReport(benchRun([scenario('state-get-memory', 0.2)]), STEPS)).not.toContain('## Cost of metrics and tracing');
  });

  it('names the steps of a merged report measured at another commit', () => {
    const figures = { runs: 10, readyMsMedian: 200, readyMsMin: 190, idleRssMb: 80 };
    const startup = { date: '2026-02-01T00:00:00.000Z', commit: 'def5678', bareNode: figures, defaults: figures, full: figures };
    const doc = renderReport(benchRun([scenario('state-get-memory', 0.2), scenario('invoke-http', 1)], { startup }), STEPS);
    expect(doc).toContain('Mecha 0.1.0 at commit abc1234 (`startup` at def5678).');
  });

  it('reads --against and then takes the side-by-side steps for --only', () => {
    const sides = ['startup', 'state-save-memory'];
    expect(parseOptions(['--against', '/x/daprd', '--only', 'state-save-memory'], STEPS, sides)).toMatchObject({ against: '/x/daprd', steps: ['state-save-memory'] });
    expect(parseOptions(['--against', '/x/daprd'], STEPS, sides).steps).toEqual(sides);
    expect(() => parseOptions(['--against', '/x/daprd', '--only', 'invoke-http'], STEPS, sides)).toThrow(/--only: unknown step "invoke-http"/);
    expect(() => parseOptions(['--against', ' '], STEPS, sides)).toThrow(/--against: expected the path of daprd/);
  });

  it('reports Mecha over daprd as medians of the rounds, against each goal, and merges re-runs of a step', () => {
    const step = (name: string, mecha: Comparison['mecha'], daprd: Comparison['daprd']): Comparison => ({ name, title: `title of ${name}`, date: '2026-01-01T00:00:00.000Z', mecha, daprd });
    const sides = (steps: Comparison[], over: Partial<SideBySideRun> = {}): SideBySideRun =>
      ({ date: '2026-01-01T00:00:00.000Z', daprd: { version: '1.17.0' }, load, payloadBytes: 1024, quick: false, steps, failures: [], ...over });
    const run = sides([
      step('startup', { readyMs: [300, 100, 200], idleRssMb: [60, 60, 60] }, { readyMs: [90, 110, 100], idleRssMb: [50, 40, 60] }),
      step('state-save-memory', { p99: [1, 3], mCpu: [40, 40], errors: [0, 0], lost: [0, 0] }, { p99: [5, 5], mCpu: [100, 100], errors: [0, 3], lost: [0, 0] }),
    ]);
    const doc = renderReport(benchRun([], { against: run }), STEPS);
    expect(doc).toContain('## Side by side with daprd');
    expect(doc).toContain('| title of startup | spawn → first healthz 204 (ms) | 100 | 200 | ×2.00 | ≤ ×1.0: no |');
    expect(doc).toContain('| title of startup | idle RSS (MB) | 50 | 60 | ×1.20 | ≤ ×1.0: no |');
    expect(doc).toContain('| title of state-save-memory | p99 (ms) | 5 | 2 | ×0.40 | ≤ ×0.5: yes |');
    expect(doc).toContain('| title of state-save-memory | CPU (mCPU) | 100 | 40 | ×0.40 | ≤ ×0.8: yes |');
    expect(doc).toContain('| title of state-save-memory | failed requests (all rounds) | 3 | 0 | | |');
    expect(doc).not.toContain('messages not delivered');
    expect(renderReport(benchRun([]), STEPS)).toContain('_Not measured: run `npm run bench -- --against /path/to/daprd`._');

    const rerun = sides([step('startup', { readyMs: [50] }, { readyMs: [100] })], { date: '2026-02-01T00:00:00.000Z' });
    expect(mergeSideBySide(run, rerun).steps.map((s) => [s.name, s.mecha.readyMs?.[0]])).toEqual([['startup', 50], ['state-save-memory', undefined]]);
    expect(mergeSideBySide(run, { ...rerun, load: { ...load, rate: 500 } }).steps).toHaveLength(1);
  });
});
