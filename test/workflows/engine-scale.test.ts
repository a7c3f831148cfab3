import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineHarness } from './support/engine-harness.js';

let h: EngineHarness;
beforeAll(async () => {
  h = await startEngine();
});
afterAll(async () => {
  await h?.close();
});

const WAITING = 1_000;

describe('workflow engine: many instances', { timeout: 60_000 }, () => {
  it('keeps waiting instances out of memory: one scheduler entry each, rebuilt from the index after a restart', async () => {
    const def = h.define('sleepy', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } });
    const started = Date.now();
    for (let i = 0; i < WAITING; i++) await h.start(def, { i }, `sleepy-${i}`);
    for (let i = 0; i < 400 && h.runtime.counts.live > 0; i++) await new Promise((r) => setTimeout(r, 25));
    const ms = Date.now() - started;
    expect(h.runtime.counts).toEqual({ live: 0, scheduled: WAITING });
    console.log(`${WAITING} instances started and parked in ${ms} ms (${Math.round((WAITING * 1000) / ms)}/s)`);

    await h.restart();
    for (let i = 0; i < 400 && h.runtime.counts.scheduled < WAITING; i++) await new Promise((r) => setTimeout(r, 25));
    expect(h.runtime.counts).toEqual({ live: 0, scheduled: WAITING });
  });

  it('runs a long loop of steps, committing in batches', async () => {
    const def = h.define('count', {
      StartAt: 'Inc',
      States: {
        Inc: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'More' },
        More: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 1000, Next: 'Inc' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    const started = Date.now();
    const id = await h.start(def, { n: 0 });
    const s = await h.until(id, (x) => x.runtimeStatus !== 'RUNNING', 30_000);
    const ms = Date.now() - started;
    expect(s).toMatchObject({ runtimeStatus: 'COMPLETED', output: '{"n":1000}' });
    console.log(`2001 state transitions in ${ms} ms (${Math.round((2001 * 1000) / ms)} steps/s)`);
    expect((await h.runtime.history(id))!.length).toBe(2 + 2000 * 2 + 2);
  });

  it('fails an endless loop with States.Runtime once it passes the step limit', async () => {
    const def = h.define('forever', { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } });
    const s = await h.until(await h.start(def, {}), (x) => x.runtimeStatus !== 'RUNNING', 30_000);
    expect(s).toMatchObject({ runtimeStatus: 'FAILED', failure: { errorType: 'States.Runtime', errorMessage: expect.stringContaining('10000') } });
  });
});
