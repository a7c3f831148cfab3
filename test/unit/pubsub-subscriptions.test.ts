import { describe, expect, it } from 'vitest';
import { loadSubscriptions } from '../../src/config/subscriptions.js';
import { compileRoutes } from '../../src/core/subscriptions/routing.js';
import { readSubscription } from '../../src/core/subscriptions/subscription.js';
import { bulkAnswer, eventAnswer } from '../../src/runtime/subscriptions/app-answers.js';
import { isExpired } from '../../src/runtime/subscriptions/event-decoding.js';

const doc = (content: Record<string, unknown>, index = 1) => ({ file: 'subs.yaml', index, content });

describe('subscription definitions', () => {
  it('reads the v2 routes form case-insensitively, default last, with bulk defaults', () => {
    const { value, errors } = readSubscription(
      { PubsubName: 'p', topic: 't', routes: { rules: [{ match: 'event.type == "a"', path: '/a' }], default: '/d' }, metadata: { rawPayload: true }, deadLetterTopic: 'dl', bulkSubscribe: { enabled: true } },
      'PROGRAMMATIC',
      '',
    );
    expect(errors).toEqual([]);
    expect(value).toEqual({
      pubsubName: 'p',
      topic: 't',
      rules: [{ match: 'event.type == "a"', path: '/a' }, { match: '', path: '/d' }],
      metadata: { rawPayload: 'true' },
      deadLetterTopic: 'dl',
      bulkSubscribe: { enabled: true, maxMessagesCount: 100, maxAwaitDurationMs: 1000 },
      type: 'PROGRAMMATIC',
    });
    expect(readSubscription({ pubsubname: 'p', topic: 't', route: '/r' }, 'PROGRAMMATIC', '').value?.rules).toEqual([{ match: '', path: '/r' }]);
  });

  it('names every field at fault, including a bad CEL expression', () => {
    expect(readSubscription({ topic: 5 }, 'PROGRAMMATIC', '[0].').errors).toEqual([
      { field: '[0].pubsubname', message: 'is required' },
      { field: '[0].topic', message: 'must be a string, got 5' },
    ]);
    expect(readSubscription({ pubsubname: 'p', topic: 't' }, 'PROGRAMMATIC', '').errors[0].field).toBe('routes');
    const bad = readSubscription({ pubsubname: 'p', topic: 't', routes: { rules: [{ match: 'event.type ==', path: '/x' }] } }, 'PROGRAMMATIC', 'spec.');
    expect(bad.errors[0]).toMatchObject({ field: 'spec.routes.rules', message: expect.stringContaining('invalid match expression') });
  });

  it('loads declarative v2alpha1 and v1alpha1 Subscriptions in scope, reporting bad ones', () => {
    const spec = { pubsubname: 'p', topic: 't', routes: { default: '/d' } };
    const { subscriptions, problems } = loadSubscriptions(
      [
        doc({ apiVersion: 'dapr.io/v2alpha1', kind: 'Subscription', metadata: { name: 'a' }, spec }),
        doc({ apiVersion: 'dapr.io/v1alpha1', kind: 'Subscription', metadata: { name: 'b' }, spec: { pubsubname: 'p', topic: 'u', route: '/u' } }, 2),
        doc({ apiVersion: 'dapr.io/v2alpha1', kind: 'Subscription', metadata: { name: 'c' }, spec, scopes: ['someone-else'] }, 3),
        doc({ apiVersion: 'dapr.io/v3', kind: 'Subscription', metadata: { name: 'd' }, spec }, 4),
        doc({ apiVersion: 'dapr.io/v2alpha1', kind: 'Subscription', metadata: { name: 'a' }, spec: { topic: 'x', routes: { default: '/x' } } }, 5),
        doc({ apiVersion: 'dapr.io/v1alpha1', kind: 'Component', metadata: { name: 'ignored' } }, 6),
      ],
      'me',
    );
    expect(subscriptions.map((s) => [s.name, s.topic, s.type])).toEqual([['a', 't', 'DECLARATIVE'], ['b', 'u', 'DECLARATIVE']]);
    expect(problems).toEqual([
      { file: 'subs.yaml', document: 4, field: 'apiVersion', message: expect.stringContaining('dapr.io/v2alpha1') },
      { file: 'subs.yaml', document: 5, field: 'metadata.name', message: 'duplicate Subscription name "a"' },
      { file: 'subs.yaml', document: 5, field: 'spec.pubsubname', message: 'is required' },
    ]);
  });
});

describe('routing rules', () => {
  const route = compileRoutes([
    { match: 'event.type == "widget"', path: '/widgets' },
    { match: 'event.data.size > 10', path: '/big' },
    { match: '', path: '/default' },
  ]);

  it('evaluates rules in order, the default last', () => {
    expect(route({ type: 'widget', data: { size: 100 } })).toEqual({ path: '/widgets' });
    expect(route({ type: 'gadget', data: { size: 100 } })).toEqual({ path: '/big' });
    expect(route({ type: 'gadget', data: { size: 1 } })).toEqual({ path: '/default' });
  });

  it('reports no match without a default, and throws on an evaluation error', () => {
    const strict = compileRoutes([{ match: 'event.data.size > 10', path: '/big' }, { match: '"not a bool"', path: '/never' }]);
    expect(strict({ data: { size: 1 } })).toEqual({ noMatch: true });
    expect(() => strict({ type: 'x', data: {} })).toThrow(/rule 0/);
  });
});

describe('app answers and expiry', () => {
  it('interprets single deliveries per the reference table', () => {
    const b = (s: string) => Buffer.from(s);
    expect(eventAnswer(200, b(''))).toBe('SUCCESS');
    expect(eventAnswer(204, b('not json'))).toBe('SUCCESS');
    expect(eventAnswer(200, b('{"status":""}'))).toBe('SUCCESS');
    expect(eventAnswer(200, b('{"status":"success"}'))).toBe('SUCCESS');
    expect(eventAnswer(200, b('{"status":"RETRY"}'))).toBe('RETRY');
    expect(eventAnswer(200, b('{"status":"DROP"}'))).toBe('DROP');
    expect(eventAnswer(200, b('{"status":"MAYBE"}'))).toBe('RETRY');
    expect(eventAnswer(404, b(''))).toBe('DROP');
    for (const code of [301, 400, 500, 503]) expect(eventAnswer(code, b('{"status":"SUCCESS"}'))).toBe('RETRY');
  });

  it('interprets bulk deliveries per entry, missing entries retried', () => {
    const ids = ['a', 'b', 'c'];
    const answer = bulkAnswer(200, Buffer.from('{"statuses":[{"entryId":"a","status":"SUCCESS"},{"entryId":"b","status":"DROP"}]}'), ids);
    expect(Object.fromEntries(answer)).toEqual({ a: 'SUCCESS', b: 'DROP', c: 'RETRY' });
    expect([...bulkAnswer(200, Buffer.from('garbage'), ids).values()]).toEqual(['RETRY', 'RETRY', 'RETRY']);
    expect([...bulkAnswer(404, Buffer.from(''), ids).values()]).toEqual(['DROP', 'DROP', 'DROP']);
    expect([...bulkAnswer(500, Buffer.from(''), ids).values()]).toEqual(['RETRY', 'RETRY', 'RETRY']);
  });

  it('treats an event as expired only once its expiration has passed', () => {
    expect(isExpired({ expiration: '2000-01-01T00:00:00Z' })).toBe(true);
    expect(isExpired({ expiration: new Date(Date.now() + 60_000).toISOString() })).toBe(false);
    expect(isExpired({})).toBe(false);
  });
});
