import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineHarness } from './support/engine-harness.js';

let h: EngineHarness;
beforeAll(async () => {
  h = await startEngine();
});
afterAll(async () => {
  await h?.close();
});

const done = (s: { runtimeStatus: string }) => ['COMPLETED', 'FAILED', 'TERMINATED'].includes(s.runtimeStatus);

describe('workflow engine: state types', () => {
  it('runs Pass, Choice loops and Succeed, counting visits in the history', async () => {
    const def = h.define('loop', {
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Parameters: { 'n.$': '$.from', 'id.$': '$$.Execution.Id' }, Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThanEquals: 3, Next: 'Done' }], Default: 'Inc' },
        Inc: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)', 'id.$': '$.id' }, Next: 'Check' },
        Done: { Type: 'Succeed', OutputPath: '$' },
      },
    });
    const id = await h.start(def, { from: 0 });
    const s = await h.until(id, done);
    expect(s.runtimeStatus).toBe('COMPLETED');
    expect(JSON.parse(s.output!)).toEqual({ n: 3, id });
    const history = (await h.runtime.history(id))!;
    expect(history[0]).toMatchObject({ seq: 0, type: 'ExecutionStarted' });
    expect(history.at(-1)).toMatchObject({ type: 'ExecutionCompleted' });
    expect(history.filter((e) => e.type === 'StateEntered').map((e) => e.state)).toEqual(['Init', 'Check', 'Inc', 'Check#2', 'Inc#2', 'Check#3', 'Inc#3', 'Check#4', 'Done']);
  });

  it('runs Parallel branches and a Map with MaxConcurrency and ItemSelector over $$.Map.Item', async () => {
    const def = h.define('fan', {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'a', End: true } } },
            {
              StartAt: 'Each',
              States: {
                Each: {
                  Type: 'Map',
                  ItemsPath: '$.items',
                  MaxConcurrency: 2,
                  ItemSelector: { 'v.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index' },
                  ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'x.$': 'States.MathAdd($.v, $.v)', 'i.$': '$.i' }, End: true } } },
                  End: true,
                },
              },
            },
          ],
          ResultPath: '$.out',
          Next: 'End',
        },
        End: { Type: 'Pass', OutputPath: '$.out', End: true },
      },
    });
    const id = await h.start(def, { items: [1, 2, 3, 4, 5] });
    const s = await h.until(id, done);
    expect(s.runtimeStatus).toBe('COMPLETED');
    expect(JSON.parse(s.output!)).toEqual(['a', [1, 2, 3, 4, 5].map((v, i) => ({ x: 2 * v, i }))]);
    const entered = (await h.runtime.history(id))!.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(entered).toContain('Both[1]/Each[4]/Double');
  });

  it('waits on a timer (Wait), then goes on', async () => {
    const def = h.define('wait', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'P' }, P: { Type: 'Pass', Result: { waited: true }, End: true } } });
    const started = Date.now();
    const id = await h.start(def, {});
    const s = await h.until(id, done);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(JSON.parse(s.output!)).toEqual({ waited: true });
    expect((await h.runtime.history(id))!.map((e) => e.type)).toEqual(expect.arrayContaining(['TimerCreated', 'TimerFired']));
  });

  it('fails with the Fail state Error and Cause; Catch on a Parallel catches a branch failure', async () => {
    const fail = h.define('fail', { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Order.Invalid', Cause: 'no items' } } });
    const failed = await h.until(await h.start(fail, {}), done);
    expect(failed).toMatchObject({ runtimeStatus: 'FAILED', failure: { errorType: 'Order.Invalid', errorMessage: 'no items' } });

    const caught = h.define('caught', {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'branch' } } }],
          Catch: [{ ErrorEquals: ['Boom'], ResultPath: '$.error', Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    });
    const s = await h.until(await h.start(caught, { k: 1 }), done);
    expect(s.runtimeStatus).toBe('COMPLETED');
    expect(JSON.parse(s.output!)).toEqual({ k: 1, error: { Error: 'Boom', Cause: 'branch' } });
  });

  it('fails a Map past its tolerated failures, fails a Parallel with its branch error, and a Choice without match', async () => {
    const map = (tolerated: number) =>
      h.define(`tolerant-${tolerated}`, {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ToleratedFailureCount: tolerated,
            ItemProcessor: {
              StartAt: 'Odd',
              States: {
                Odd: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 1, Next: 'Bad' }, { Variable: '$', NumericEquals: 3, Next: 'Bad' }], Default: 'Ok' },
                Bad: { Type: 'Fail', Error: 'Item.Bad', Cause: 'odd' },
                Ok: { Type: 'Pass', End: true },
              },
            },
            End: true,
          },
        },
      });
    const tolerant = await h.until(await h.start(map(2), [0, 1, 2, 3]), done);
    expect(tolerant.runtimeStatus).toBe('COMPLETED');
    expect(JSON.parse(tolerant.output!)).toEqual([0, { Error: 'Item.Bad', Cause: 'odd' }, 2, { Error: 'Item.Bad', Cause: 'odd' }]);
    const strict = await h.until(await h.start(map(1), [0, 1, 2, 3]), done);
    expect(strict).toMatchObject({ runtimeStatus: 'FAILED', failure: { errorType: 'States.ExceedToleratedFailureThreshold' } });

    const parallel = h.define('branchfail', {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Slow', States: { Slow: { Type: 'Wait', Seconds: 60, End: true } } },
            { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Branch.Broken', Cause: 'second' } } },
          ],
          End: true,
        },
      },
    });
    const id = await h.start(parallel, {});
    expect(await h.until(id, done)).toMatchObject({ runtimeStatus: 'FAILED', failure: { errorType: 'Branch.Broken', errorMessage: 'second' } });
    expect((await h.runtime.history(id))!.filter((e) => e.type === 'TimerFired')).toEqual([]);

    const choice = h.define('nomatch', { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.x', NumericEquals: 1, Next: 'E' }] }, E: { Type: 'Succeed' } } });
    expect(await h.until(await h.start(choice, { x: 2 }), done)).toMatchObject({ runtimeStatus: 'FAILED', failure: { errorType: 'States.NoChoiceMatched' } });
  });

  it('retries a failing Task with new idempotency keys per attempt, then catches its error', async () => {
    const def = h.define('retry', {
      StartAt: 'Read',
      States: {
        Read: {
          Type: 'Task',
          Resource: 'state:nosuchstore/get',
          Parameters: { key: 'k' },
          Retry: [{ ErrorEquals: ['Mecha.StateFailed'], IntervalSeconds: 1, MaxAttempts: 1, BackoffRate: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fallback' }],
          End: true,
        },
        Fallback: { Type: 'Pass', End: true },
      },
    });
    const id = await h.start(def, {});
    const s = await h.until(id, done);
    expect(s.runtimeStatus).toBe('COMPLETED');
    expect(JSON.parse(s.output!)).toMatchObject({ Error: 'Mecha.StateFailed', Cause: expect.stringContaining('nosuchstore') });
    const history = (await h.runtime.history(id))!;
    expect(history.filter((e) => e.type === 'TaskScheduled').map((e) => e.details?.idempotencyKey)).toEqual([`${id}/Read/1`, `${id}/Read/2`]);
    expect(history.filter((e) => e.type === 'TaskRetryScheduled')).toHaveLength(1);
  });

  it('saves and reads state through the state core, and publishes', async () => {
    const def = h.define('state', {
      StartAt: 'Save',
      States: {
        Save: { Type: 'Task', Resource: 'state:kv/save', Parameters: { key: 'order-1', 'value.$': '$' }, ResultPath: null, Next: 'Get' },
        Get: { Type: 'Task', Resource: 'state:kv/get', Parameters: { key: 'order-1' }, ResultPath: '$.read', Next: 'Pub' },
        Pub: { Type: 'Task', Resource: 'publish:bus/orders', ResultPath: null, End: true },
      },
    });
    const s = await h.until(await h.start(def, { qty: 2 }), done);
    expect(s.runtimeStatus).toBe('COMPLETED');
    expect(JSON.parse(s.output!)).toEqual({ qty: 2, read: { qty: 2 } });
    const stored = await h.cores.state.get({ storeName: 'kv', key: 'order-1', metadata: {} });
    expect(JSON.parse(stored!.data.toString())).toEqual({ qty: 2 });
  });

  it('draws States.UUID and States.MathRandom when a state runs, in a Pass, a Map item and a Task input', async () => {
    const def = h.define('fresh', {
      StartAt: 'Ids',
      States: {
        Ids: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()', 'dice.$': 'States.MathRandom(1, 7)' }, ResultPath: '$.ids', Next: 'Each' },
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemSelector: { 'tag.$': 'States.UUID()' },
          ItemProcessor: { StartAt: 'Keep', States: { Keep: { Type: 'Pass', End: true } } },
          ResultPath: '$.tags',
          Next: 'Save',
        },
        Save: { Type: 'Task', Resource: 'state:kv/save', Parameters: { 'key.$': 'States.UUID()', value: 1 }, ResultPath: null, End: true },
      },
    });
    const s = await h.until(await h.start(def, { items: [1, 2] }), done);
    expect(s.failure).toBeUndefined();
    const { ids: out, tags } = JSON.parse(s.output!);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(out.id).toMatch(uuid);
    expect(out.dice).toBeGreaterThanOrEqual(1);
    expect(out.dice).toBeLessThan(7);
    expect(tags.map((t: { tag: string }) => t.tag)).toEqual([expect.stringMatching(uuid), expect.stringMatching(uuid)]);
    expect(new Set([out.id, ...tags.map((t: { tag: string }) => t.tag)]).size).toBe(3);
  });

  it('gives an instance started without input {} as its input, as ASL executions get', async () => {
    const def = h.define('bare', { StartAt: 'Mark', States: { Mark: { Type: 'Pass', Parameters: { 'seen.$': '$$.Execution.Input' }, ResultPath: '$.mark', End: true } } });
    const s = await h.until(await h.start(def, undefined), done);
    expect(s.failure).toBeUndefined();
    expect(JSON.parse(s.output!)).toEqual({ mark: { seen: {} } });
  });

  it('fails the whole execution with States.Timeout after the workflow TimeoutSeconds', async () => {
    const def = h.define('slow', { TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 30, End: true } } });
    const s = await h.until(await h.start(def, {}), done);
    expect(s).toMatchObject({ runtimeStatus: 'FAILED', failure: { errorType: 'States.Timeout' } });
  });
});
