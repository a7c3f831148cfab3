import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);

// Proves the benchmark harness works end to end (quick mode); the figures themselves are not asserted.
describe('benchmark harness (quick mode)', () => {
  it('measures startup and a state and an invocation scenario, direct and through Mecha', { timeout: 120_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mecha-bench-')), 'run.json');
    await run(process.execPath, ['bench/run.mjs', '--quick', '--only', 'state-get-memory,invoke-grpc', '--out', out], {
      env: { ...process.env, MECHA_TEST_REDIS: inject('redisAddress'), MECHA_TEST_KAFKA: inject('kafkaBrokers') },
      timeout: 110_000,
    });
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.failures).toEqual([]);
    expect(result.startup.defaults.readyMsMedian).toBeGreaterThan(0);
    expect(result.startup.full.idleRssMb).toBeGreaterThan(0);
    expect(result.scenarios.map((s: { name: string }) => s.name)).toEqual(['state-get-memory', 'invoke-grpc']);
    for (const s of result.scenarios) {
      for (const side of [s.baseline, s.mecha]) {
        expect(side.count).toBeGreaterThan(100);
        expect(side.errors).toBe(0);
        for (const p of ['p50', 'p90', 'p99', 'p999']) expect(side[p]).toBeGreaterThan(0);
      }
      expect(Object.keys(s.added)).toEqual(['p50', 'p90', 'p99', 'p999']);
      expect(s.sidecar.rssPeakMb).toBeGreaterThan(0);
    }
  });
});
