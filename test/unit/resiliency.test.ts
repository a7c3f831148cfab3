import { describe, expect, it } from 'vitest';
import { loadResiliency } from '../../src/config/resiliency-resources.js';
import { BreakerOpenError, CircuitBreaker } from '../../src/resiliency/circuit-breaker.js';
import { parseCircuitBreaker, parseRetry } from '../../src/resiliency/policies.js';
import { Resiliency } from '../../src/resiliency/resiliency.js';
import { PolicyTimeoutError, runWithPolicy } from '../../src/resiliency/runner.js';

const failing = (times: number) => {
  let calls = 0;
  const fn = async () => {
    calls++;
    if (calls <= times) throw Object.assign(new Error(`fail ${calls}`), { code: 14 });
    return calls;
  };
  return { fn, calls: () => calls };
};

describe('retry policies', () => {
  it('retries a constant policy maxRetries times, the given duration apart', async () => {
    const op = failing(2);
    const started = Date.now();
    const result = await runWithPolicy({ name: 't', retry: parseRetry({ policy: 'constant', duration: '50ms', maxRetries: 3 }, 'r') }, undefined, op.fn);
    expect(result).toBe(3);
    expect(op.calls()).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('gives up after maxRetries and surfaces the last failure', async () => {
    const op = failing(10);
    await expect(runWithPolicy({ name: 't', retry: parseRetry({ duration: '1ms', maxRetries: 2 }, 'r') }, undefined, op.fn)).rejects.toThrow('fail 3');
    expect(op.calls()).toBe(3);
  });

  it('grows exponential delays and caps them at maxInterval', async () => {
    const op = failing(12);
    const started = Date.now();
    await runWithPolicy({ name: 't', retry: parseRetry({ policy: 'exponential', initialInterval: '10ms', maxInterval: '20ms', maxRetries: -1 }, 'r') }, undefined, op.fn);
    const elapsed = Date.now() - started;
    expect(op.calls()).toBe(13);
    // Capped, the twelve waits sum to at most 1.5 × (10 + 15 + 10 × 20) ms ≈ 340 ms; growing ×1.5 uncapped
    // they would sum to at least 0.5 × 2575 ms. The margin between absorbs a busy machine's timer slip.
    expect(elapsed).toBeLessThan(800);
  });

  it('retries only the matching codes', async () => {
    const retry = parseRetry({ duration: '1ms', maxRetries: 5, matching: { gRPCStatusCodes: '1-4' } }, 'r');
    const op = failing(3); // code 14: not in 1-4
    await expect(runWithPolicy({ name: 't', retry }, undefined, op.fn, (err, r) => r.grpcStatusCodes!.has((err as { code: number }).code))).rejects.toThrow('fail 1');
    expect(op.calls()).toBe(1);
  });

  it('bounds each attempt with the timeout', async () => {
    const slow = () => new Promise((r) => setTimeout(r, 200));
    await expect(runWithPolicy({ name: 't', timeoutMs: 20 }, undefined, slow)).rejects.toBeInstanceOf(PolicyTimeoutError);
  });

  it('names the field of a bad policy', () => {
    expect(() => parseRetry({ policy: 'fibonacci' }, 'spec.policies.retries.x')).toThrow('spec.policies.retries.x.policy');
    expect(() => parseRetry({ matching: { httpStatusCodes: '700' } }, 'r')).toThrow('r.matching.httpStatusCodes');
    expect(() => parseCircuitBreaker({ trip: 'consecutiveFailures >' }, 'cb')).toThrow('cb.trip');
  });
});

describe('circuit breakers', () => {
  it('opens when trip holds, refuses calls, half-opens after the timeout and closes on a probe success', async () => {
    const b = new CircuitBreaker('b', parseCircuitBreaker({ trip: 'consecutiveFailures >= 2', timeout: '60ms', maxRequests: 1 }, 'cb'));
    const boom = async () => {
      throw new Error('boom');
    };
    await expect(b.run(boom)).rejects.toThrow('boom');
    await expect(b.run(boom)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
    await expect(b.run(async () => 1)).rejects.toBeInstanceOf(BreakerOpenError);
    await new Promise((r) => setTimeout(r, 70));
    expect(b.state).toBe('half-open');
    expect(await b.run(async () => 'ok')).toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('opens again when the half-open probe fails', async () => {
    const b = new CircuitBreaker('b', parseCircuitBreaker({ trip: 'consecutiveFailures > 0', timeout: '20ms' }, 'cb'));
    await expect(b.run(async () => Promise.reject(new Error('x')))).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 30));
    await expect(b.run(async () => Promise.reject(new Error('y')))).rejects.toThrow('y');
    expect(b.state).toBe('open');
  });
});

describe('Resiliency resources', () => {
  const doc = (content: Record<string, unknown>, file = 'res.yaml') => ({ file, index: 1, content: { apiVersion: 'dapr.io/v1alpha1', kind: 'Resiliency', metadata: { name: 'r' }, ...content } });

  it('resolves a target policy, then the most specific default, then the broadest', () => {
    const { spec, problems } = loadResiliency(
      [
        doc({
          spec: {
            policies: {
              timeouts: { short: '1s', DefaultTimeoutPolicy: '9s', DefaultStatestoreComponentOutboundTimeoutPolicy: '3s' },
              retries: { fast: { duration: '10ms', maxRetries: 2 }, DefaultAppRetryPolicy: { maxRetries: 1 } },
            },
            targets: { apps: { orders: { timeout: 'short', retry: 'fast' } } },
          },
        }),
      ],
      'me',
    );
    expect(problems).toEqual([]);
    const r = new Resiliency(spec);
    expect(r.appPolicy('orders')).toMatchObject({ timeoutMs: 1000, retry: { maxRetries: 2 } });
    expect(r.appPolicy('other')).toMatchObject({ timeoutMs: 9000, retry: { maxRetries: 1 } });
    expect(r.componentPolicy('statestore', 'state', 'outbound')).toMatchObject({ timeoutMs: 3000 });
    expect(r.componentPolicy('pubsub', 'pubsub', 'inbound')?.timeoutMs).toBe(9000);
  });

  it('skips resources scoped to other apps and reports undefined policy names with their field', () => {
    const scoped = loadResiliency([doc({ scopes: ['someone-else'], spec: { policies: { timeouts: { DefaultTimeoutPolicy: '1s' } } } })], 'me');
    expect(new Resiliency(scoped.spec).appPolicy('x')).toBeUndefined();
    const bad = loadResiliency([doc({ spec: { policies: { timeouts: { t: 'soon' } }, targets: { apps: { a: { retry: 'missing' } } } } })], 'me');
    expect(bad.problems.map((p) => p.field)).toEqual(['spec.policies.timeouts.t', 'spec.targets.apps.a.retry']);
  });
});
