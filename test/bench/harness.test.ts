import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);

const PERCENTILES = ['p50', 'p90', 'p99', 'p999'];
const positive = (n: unknown) => expect(typeof n === 'number' && n > 0, `${n} is a positive number`).toBe(true);

// Proves the benchmark harness works end to end (quick mode); the figures themselves are not asserted.
describe('benchmark harness (quick mode)', () => {
  it('measures startup, a state and an invocation scenario, direct and through Mecha, and the cost of tracing', { timeout: 120_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mecha-bench-')), 'run.json');
    await run(process.execPath, ['bench/run.mjs', '--quick', '--only', 'startup,state-get-memory,invoke-http,state-get-memory-tracing', '--out', out], {
      env: { ...process.env, MECHA_TEST_REDIS: inject('redisAddress'), MECHA_TEST_KAFKA: inject('kafkaBrokers') },
      timeout: 110_000,
    });
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.failures).toEqual([]);
    expect(result.quick).toBe(true);
    expect(result.load).toEqual({ rate: 200, connections: 16, durationS: 2, warmupS: 0.5 });
    for (const figures of [result.startup.bareNode, result.startup.defaults, result.startup.full]) {
      expect(figures.runs).toBe(2);
      positive(figures.readyMsMedian);
      positive(figures.idleRssMb);
    }
    expect(result.scenarios.map((s: { name: string }) => s.name)).toEqual(['state-get-memory', 'invoke-http', 'state-get-memory-tracing']);
    for (const s of result.scenarios) {
      for (const side of [s.baseline, s.mecha]) {
        expect(side.count).toBeGreaterThan(100);
        expect(side.errors).toBe(0);
        positive(side.rate);
        for (const p of PERCENTILES) positive(side[p]);
      }
      expect(Object.keys(s.added)).toEqual(PERCENTILES);
      for (const p of PERCENTILES) expect(s.added[p]).toBeCloseTo(s.mecha[p] - s.baseline[p], 2);
      expect(s.sidecar.each.length).toBe(s.sidecar.processes);
      positive(s.loadGeneratorMCpu);
      for (const usage of [s.sidecar, ...s.sidecar.each]) {
        expect(usage.mCpu).toBeGreaterThanOrEqual(0);
        positive(usage.rssPeakMb);
        positive(usage.rssSteadyMb);
      }
    }
    expect(result.scenarios[1].sidecar.each.map((e: { role: string }) => e.role)).toEqual(['caller', 'callee']);
    // The tracing cost row measured Mecha against itself, and its spans reached the loopback sink.
    expect(result.scenarios[2].baselineSidecar.processes).toBe(1);
    expect(result.scenarios[2].baselineNote).toMatch(/sink that discards them \([1-9]\d* export requests/);
  });
});
