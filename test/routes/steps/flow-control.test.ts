import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayStep } from '../../../src/routes/steps/delay.js';
import { throttleStep } from '../../../src/routes/steps/throttle.js';
import { message, startStepHost, type StepHost } from '../../support/step-host.js';

let host: StepHost;

beforeAll(async () => {
  host = await startStepHost({});
});
afterAll(async () => {
  await host?.stop();
});

describe('throttle', () => {
  it('lets the burst pass at once, then spaces messages at the rate, in order', async () => {
    const { step } = host.step(throttleStep, { messagesPerSecond: 10, burst: 2 });
    const started = performance.now();
    const passedAt: number[] = [];
    const order: number[] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => step.process(message({ i })).then(([m]) => {
      passedAt.push(performance.now() - started);
      order.push((m!.event.data as { i: number }).i);
    })));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // 2 at once, then 6 more at 10/s: at least 600 ms in all (lower bound only; the machine may be slow).
    expect(passedAt.at(-1)!).toBeGreaterThanOrEqual(550);
    expect(passedAt[1]!).toBeLessThan(passedAt.at(-1)! - 400);
  });

  it('refuses messages beyond maxWaiting (the source keeps them), and stops waiting when the route stops', async () => {
    const t = host.step(throttleStep, { messagesPerSecond: 0.5, maxWaiting: 2 });
    const first = t.step.process(message(1));
    const second = t.step.process(message(2));
    const third = t.step.process(message(3));
    await expect(first).resolves.toHaveLength(1);
    await expect(third).rejects.toThrow(/2 messages are waiting already/);
    await t.stop();
    await expect(second).rejects.toThrow(/the route stopped/);
  });

  it('reports every problem with its field', () => {
    expect(throttleStep.parse({ messagesPerSecond: 0, burst: 1.5 }, 'spec.steps[4].throttle').problems).toEqual([
      { field: 'spec.steps[4].throttle.messagesPerSecond', message: 'must be a positive number not above 1000000' },
      { field: 'spec.steps[4].throttle.burst', message: 'must be a positive integer not above 1000000' },
    ]);
  });
});

describe('delay', () => {
  it('holds a message for fixed seconds, or for what an expression says', async () => {
    const fixed = host.step(delayStep, { seconds: 0.4 });
    let started = performance.now();
    await fixed.step.process(message(1));
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    const computed = host.step(delayStep, { expression: 'event.data.wait' });
    started = performance.now();
    const [out] = await computed.step.process(message({ wait: 0.3 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(out!.event.data).toEqual({ wait: 0.3 });
    await expect(computed.step.process(message({ wait: 301 }))).rejects.toThrow(/301 seconds is above the limit of 300/);
    await expect(computed.step.process(message({ wait: 'soon' }))).rejects.toThrow(/must evaluate to a number of seconds/);
  });

  it('gives a held message back unacknowledged when the route stops', async () => {
    const held = host.step(delayStep, { seconds: 60 });
    const waiting = held.step.process(message(1));
    await held.stop();
    await expect(waiting).rejects.toThrow(/the route stopped/);
  });

  it('reports every problem with its field', () => {
    expect(delayStep.parse({ seconds: 301, expression: 'event.(' }, 'spec.steps[0].delay').problems).toEqual([
      { field: 'spec.steps[0].delay', message: 'needs exactly one of seconds, expression' },
      { field: 'spec.steps[0].delay.seconds', message: 'must be a positive number not above 300' },
      { field: 'spec.steps[0].delay.expression', message: expect.stringMatching(/^invalid CEL expression/) },
    ]);
  });
});
