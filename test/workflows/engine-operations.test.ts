import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEngineError } from '../../src/workflows/engine.js';
import { startEngine, type EngineHarness } from './support/engine-harness.js';

let h: EngineHarness;
beforeAll(async () => {
  h = await startEngine();
});
afterAll(async () => {
  await h?.close();
});

const done = (s: { runtimeStatus: string }) => ['COMPLETED', 'FAILED', 'TERMINATED'].includes(s.runtimeStatus);
const reason = (p: Promise<unknown>) => p.then(() => 'resolved', (err: unknown) => (err instanceof WorkflowEngineError ? err.reason : String(err)));
const types = async (id: string) => (await h.runtime.history(id))!.map((e) => e.type);

const approval = () =>
  h.define('approval', {
    StartAt: 'First',
    States: {
      First: { Type: 'Wait', Seconds: 1, Next: 'Approve' },
      Approve: { Type: 'Task', Resource: 'event:approve', TimeoutSeconds: 30, ResultPath: '$.approval', End: true },
    },
  });

describe('workflow engine: events and management operations', () => {
  it('takes an event raised after the state waits for it, and one raised before (kept for it)', async () => {
    const def = approval();
    const after = await h.start(def, { order: 1 });
    await h.until(after, () => true);
    for (let i = 0; i < 200 && !(await types(after)).includes('TimerCreated'); i++) await new Promise((r) => setTimeout(r, 10));
    const before = await h.start(def, { order: 2 });
    await h.runtime.operate(before, { op: 'raise', name: 'approve', data: { by: 'early' } });
    // `after` is in its Wait: by the time the event comes it waits in Approve.
    await new Promise((r) => setTimeout(r, 1300));
    await h.runtime.operate(after, { op: 'raise', name: 'approve', data: { by: 'late' } });
    expect(JSON.parse((await h.until(after, done)).output!)).toEqual({ order: 1, approval: { by: 'late' } });
    expect(JSON.parse((await h.until(before, done)).output!)).toEqual({ order: 2, approval: { by: 'early' } });
    expect(await types(before)).toContain('EventRaised');
  });

  it('takes an event raised without data as the result null, before and after the state waits', async () => {
    const def = h.define('bare-event', {
      StartAt: 'Ping',
      States: {
        Ping: { Type: 'Task', Resource: 'event:ping', ResultPath: '$.ping', Next: 'Pong' },
        Pong: { Type: 'Task', Resource: 'event:pong', ResultPath: '$.pong', End: true },
      },
    });
    const id = await h.start(def, { order: 3 });
    await h.runtime.operate(id, { op: 'raise', name: 'pong', data: undefined });
    await h.runtime.operate(id, { op: 'raise', name: 'ping', data: undefined });
    expect(JSON.parse((await h.until(id, done)).output!)).toEqual({ order: 3, ping: null, pong: null });
  });

  it('fails an event wait with States.Timeout after TimeoutSeconds, which Catch can take', async () => {
    const def = h.define('timeout', {
      StartAt: 'Approve',
      States: {
        Approve: { Type: 'Task', Resource: 'event:never', TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Late' }], End: true },
        Late: { Type: 'Pass', Result: 'timed out', End: true },
      },
    });
    const s = await h.until(await h.start(def, {}), done);
    expect(JSON.parse(s.output!)).toBe('timed out');
  });

  it('suspends (no new steps, timers keep their due time), resumes, terminates and purges', async () => {
    const def = approval();
    const id = await h.start(def, {});
    await h.runtime.operate(id, { op: 'pause', reason: 'check' });
    expect((await h.runtime.status(id))!.runtimeStatus).toBe('SUSPENDED');
    await new Promise((r) => setTimeout(r, 1300));
    // The Wait's due time passed while suspended: it has not moved on.
    expect(await types(id)).not.toContain('TimerFired');
    await h.runtime.operate(id, { op: 'resume' });
    for (let i = 0; i < 200 && !(await types(id)).includes('TimerFired'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await types(id)).toEqual(expect.arrayContaining(['ExecutionSuspended', 'ExecutionResumed', 'TimerFired']));

    expect(await reason(h.runtime.purge(id))).toBe('invalid-status');
    await h.runtime.operate(id, { op: 'terminate', output: { why: 'test' } });
    const s = await h.until(id, done);
    expect(s).toMatchObject({ runtimeStatus: 'TERMINATED', output: JSON.stringify({ why: 'test' }) });
    await h.runtime.purge(id);
    expect(await h.runtime.status(id)).toBeUndefined();
    expect(await h.runtime.history(id)).toBeUndefined();
    expect(await reason(h.runtime.purge(id))).toBe('instance-not-found');
  });

  it('refuses an id in use by an unfinished instance and replaces a finished one', async () => {
    const def = approval();
    const id = await h.start(def, { n: 1 });
    expect(await reason(h.start(def, { n: 2 }, id))).toBe('instance-exists');
    await h.runtime.operate(id, { op: 'terminate' });
    await h.until(id, done);
    await h.start(h.define('quick', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }), { n: 3 }, id);
    const s = await h.until(id, done);
    expect(s).toMatchObject({ runtimeStatus: 'COMPLETED', workflowName: 'quick', output: JSON.stringify({ n: 3 }) });
    expect((await h.runtime.history(id))![0].type).toBe('ExecutionStarted');
    expect(await types(id)).not.toContain('ExecutionTerminated');
  });

  it('gives each execution of a reused id its own idempotency keys, so an app does not answer the new one from the old', async () => {
    const def = h.define('keyed', { StartAt: 'Save', States: { Save: { Type: 'Task', Resource: 'state:kv/save', Parameters: { key: 'keyed', 'value.$': '$' }, ResultPath: null, End: true } } });
    const keys = async (id: string) => (await h.runtime.history(id))!.filter((e) => e.type === 'TaskScheduled').map((e) => e.details?.idempotencyKey);
    const id = await h.start(def, { run: 1 });
    await h.until(id, done);
    expect(await keys(id)).toEqual([`${id}/Save/1`]);
    await h.start(def, { run: 2 }, id);
    await h.until(id, done);
    await h.start(def, { run: 3 }, id);
    expect((await h.until(id, done)).runtimeStatus).toBe('COMPLETED');
    expect(await keys(id)).toEqual([`${id}@3/Save/1`]);
  });

  it('resumes instances after a restart: timers and kept events survive, the definition is the one they started with', async () => {
    const def = h.define('durable', {
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 1, Next: 'E' }, E: { Type: 'Task', Resource: 'event:go', End: true } },
    });
    const id = await h.start(def, {});
    await h.runtime.operate(id, { op: 'raise', name: 'go', data: 'kept' });
    await h.restart();
    const s = await h.until(id, done);
    expect(s).toMatchObject({ runtimeStatus: 'COMPLETED', output: '"kept"' });
    expect((await types(id)).filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
  });
});
