import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentConsumerStep } from '../../../src/routes/steps/idempotent-consumer.js';
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

/** Runs a message through the step as a route does: process, then committed once the sinks accepted it. */
async function deliver(step: ReturnType<StepHost['step']>['step'], m: RouteMessage): Promise<RouteMessage[]> {
  const out = await step.process(m);
  await step.committed!(m);
  return out;
}

describe.each(STORES)('idempotentConsumer on state store %s', (store) => {
  it('filters a message whose key was delivered before, and passes new keys', async () => {
    const { step } = host.step(idempotentConsumerStep, { expression: 'event.data.id', stateStore: store }, { route: `dup-${randomUUID()}` });
    await step.start!();
    const fed = [1, 2, 1, 1, 3, 2].map((id) => message({ id }));
    const passed: unknown[] = [];
    for (const m of fed) passed.push(...(await deliver(step, m)).map((p) => (p.event.data as { id: number }).id));
    expect(passed).toEqual([1, 2, 3]);
  });

  it('lets a failed message through again when its source redelivers it, filtering other copies meanwhile', async () => {
    const { step } = host.step(idempotentConsumerStep, { expression: 'event.data.id', stateStore: store }, { route: `fail-${randomUUID()}` });
    await step.start!();
    const first = message({ id: 'a' });
    expect(await step.process(first)).toHaveLength(1); // the route fails it: no committed
    expect(await step.process(message({ id: 'a' }))).toEqual([]);
    expect(await deliver(step, { ...first })).toHaveLength(1);
    expect(await step.process(first)).toEqual([]);
  });

  it('forgets the claim of a message that never came back after inFlightSeconds', async () => {
    const { step } = host.step(idempotentConsumerStep, { expression: 'event.data.id', stateStore: store, inFlightSeconds: 1 }, { route: `lost-${randomUUID()}` });
    await step.start!();
    expect(await step.process(message({ id: 'a' }))).toHaveLength(1);
    expect(await step.process(message({ id: 'a' }))).toEqual([]);
    await eventually(async () => (await step.process(message({ id: 'a' }))).length === 1, 10_000, 'the claim to lapse');
  });

  it('forgets a key after ttlInSeconds', async () => {
    const { step } = host.step(idempotentConsumerStep, { expression: 'string(event.data.id) + "-" + event.type', stateStore: store, ttlInSeconds: 1 }, { route: `ttl-${randomUUID()}` });
    await step.start!();
    expect(await deliver(step, message({ id: 7 }))).toHaveLength(1);
    expect(await step.process(message({ id: 7 }))).toEqual([]);
    await eventually(async () => (await step.process(message({ id: 7 }))).length === 1, 10_000, 'the key to expire');
  });
});

describe('idempotentConsumer shared by two replicas on Redis', () => {
  it('passes exactly one of many copies arriving at once', async () => {
    const route = `replicas-${randomUUID()}`;
    const a = host.step(idempotentConsumerStep, { expression: 'event.data.id', stateStore: 'redis' }, { route });
    const b = host.step(idempotentConsumerStep, { expression: 'event.data.id', stateStore: 'redis' }, { route });
    await Promise.all([a.step.start!(), b.step.start!()]);
    const copies = Array.from({ length: 10 }, () => message({ id: 'same' }));
    const out = await Promise.all(copies.map((m, i) => (i % 2 === 0 ? a : b).step.process(m)));
    expect(out.flat()).toHaveLength(1);
  });
});

describe('idempotentConsumer configuration and keys', () => {
  it('reports every problem with its field', () => {
    const { problems } = idempotentConsumerStep.parse({ expression: '', stateStore: 3, ttlInSeconds: 1.5 }, 'spec.steps[1].idempotentConsumer');
    expect(problems).toEqual([
      { field: 'spec.steps[1].idempotentConsumer.expression', message: 'must be a non-empty string' },
      { field: 'spec.steps[1].idempotentConsumer.stateStore', message: 'must be a non-empty string' },
      { field: 'spec.steps[1].idempotentConsumer.ttlInSeconds', message: 'must be a positive integer' },
    ]);
  });

  it('fails a message whose key does not evaluate to a scalar', async () => {
    const { step } = host.step(idempotentConsumerStep, { expression: 'event.data', stateStore: 'mem' }, { route: `bad-${randomUUID()}` });
    await step.start!();
    await expect(step.process(message({ id: 1 }))).rejects.toThrow(/must evaluate to a non-empty string, a number or a boolean/);
  });
});
