import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateStep } from '../../../src/routes/steps/aggregate.js';
import type { RouteMessage } from '../../../src/routes/step.js';
import { eventually, message, startStepHost, type StepHost } from '../../support/step-host.js';
import { STORES, storeComponents } from './stores.js';

let host: StepHost;

beforeAll(async () => {
  host = await startStepHost(storeComponents());
});
afterAll(async () => {
  await host?.stop();
});

const order = (id: string, n: number) => message({ order: id, n });
const config = (store: string, extra: Record<string, unknown>) => ({ correlation: 'event.data.order', stateStore: store, ...extra });

describe.each(STORES)('aggregate on state store %s', (store) => {
  it('completes a group by size, keeping other groups open', async () => {
    const { step, emitted } = host.step(aggregateStep, config(store, { completionSize: 3 }), { route: `size-${randomUUID()}` });
    await step.start!();
    for (const m of [order('a', 1), order('b', 1), order('a', 2)]) expect(await step.process(m)).toEqual([]);
    expect(emitted).toEqual([]);
    await step.process(order('a', 3));
    expect(emitted).toHaveLength(1);
    expect(emitted[0]!.event.data).toEqual([{ order: 'a', n: 1 }, { order: 'a', n: 2 }, { order: 'a', n: 3 }]);
    expect(emitted[0]!.event.type).toBe('test.event');
    expect(emitted[0]!.headers).toMatchObject({ 'mecha-aggregate-correlation': 'a', 'mecha-aggregate-size': '3', 'mecha-aggregate-completed-by': 'size' });
  });

  it('completes a group by timeout, merging object datas with strategy merge', async () => {
    const { step, emitted } = host.step(aggregateStep, config(store, { completionTimeoutSeconds: 0.3, strategy: 'merge' }), { route: `timeout-${randomUUID()}` });
    await step.start!();
    await step.process(message({ order: 'a', x: 1 }));
    await step.process(message({ order: 'a', y: 2 }));
    await eventually(() => emitted.length === 1, 10_000, 'the group to complete by timeout');
    expect(emitted[0]!.event.data).toEqual({ order: 'a', x: 1, y: 2 });
    expect(emitted[0]!.headers['mecha-aggregate-completed-by']).toBe('timeout');
  });

  it('recovers an open group when the step is created again (a restart), by size and by timeout', async () => {
    const route = `recover-${randomUUID()}`;
    const first = host.step(aggregateStep, config(store, { completionSize: 3, completionTimeoutSeconds: 2 }), { route });
    await first.step.start!();
    await first.step.process(order('a', 1));
    await first.step.process(order('a', 2));
    await first.step.process(order('b', 1));
    await first.stop();
    const second = host.step(aggregateStep, config(store, { completionSize: 3, completionTimeoutSeconds: 2 }), { route });
    await second.step.start!();
    await second.step.process(order('a', 3));
    expect(second.emitted.map((m) => m.event.data)).toEqual([[{ order: 'a', n: 1 }, { order: 'a', n: 2 }, { order: 'a', n: 3 }]]);
    await eventually(() => second.emitted.length === 2, 15_000, 'group b to complete by its recovered deadline');
    expect(second.emitted[1]!.event.data).toEqual([{ order: 'b', n: 1 }]);
    expect(first.emitted).toEqual([]);
  });

  it('keeps a batch whose delivery failed (the source is acknowledged) and delivers it again after redeliverAfterSeconds', async () => {
    let fail = true;
    const delivered: RouteMessage[] = [];
    const { step } = host.step(aggregateStep, config(store, { completionSize: 2, redeliverAfterSeconds: 0.5 }), {
      route: `fail-${randomUUID()}`,
      emit: async (m) => {
        if (fail) throw new Error('sink down');
        delivered.push(...m);
      },
    });
    await step.start!();
    await step.process(order('a', 1));
    await expect(step.process(order('a', 2))).resolves.toEqual([]);
    expect(delivered).toEqual([]);
    fail = false;
    await eventually(() => delivered.length === 1, 10_000, 'the batch to be delivered again');
    expect(delivered[0]!.event.data).toEqual([{ order: 'a', n: 1 }, { order: 'a', n: 2 }]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(delivered).toHaveLength(1);
  });
});

describe('aggregate shared by two replicas on Redis', () => {
  it('never completes a group twice: every message lands in exactly one aggregate', async () => {
    const route = `replicas-${randomUUID()}`;
    const a = host.step(aggregateStep, config('redis', { completionSize: 4 }), { route });
    const b = host.step(aggregateStep, config('redis', { completionSize: 4 }), { route });
    await Promise.all([a.step.start!(), b.step.start!()]);
    const messages = Array.from({ length: 24 }, (_, i) => order(['x', 'y', 'z'][i % 3]!, i));
    await Promise.all(messages.map((m, i) => (i % 2 === 0 ? a : b).step.process(m)));
    const all = [...a.emitted, ...b.emitted];
    expect(all).toHaveLength(6);
    const seen = all.flatMap((m) => (m.event.data as Array<{ n: number }>).map((d) => d.n)).sort((x, y) => x - y);
    expect(seen).toEqual(messages.map((_, i) => i));
    expect(new Set(all.map((m) => m.event.id)).size).toBe(6);
  });
});

describe('aggregate configuration', () => {
  it('reports every problem with its field', () => {
    const { problems, create } = aggregateStep.parse({ correlation: 'event.(', completionSize: 0, stateStore: '', strategy: 'zip', extra: 1 }, 'spec.steps[3].aggregate');
    expect(create).toBeUndefined();
    expect(problems).toEqual([
      { field: 'spec.steps[3].aggregate.extra', message: expect.stringMatching(/^is not a known field/) },
      { field: 'spec.steps[3].aggregate.correlation', message: expect.stringMatching(/^invalid CEL expression/) },
      { field: 'spec.steps[3].aggregate.completionSize', message: 'must be a positive integer not above 1000' },
      { field: 'spec.steps[3].aggregate.stateStore', message: 'must be a non-empty string' },
      { field: 'spec.steps[3].aggregate.strategy', message: 'must be one of array, merge' },
    ]);
    expect(aggregateStep.parse({ correlation: 'event.id', stateStore: 's' }, 'f').problems).toEqual([{ field: 'f', message: 'needs completionSize, completionTimeoutSeconds or both' }]);
    expect(aggregateStep.parse('x', 'f').problems).toEqual([{ field: 'f', message: 'must be a mapping' }]);
  });
});
