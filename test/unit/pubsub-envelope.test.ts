import { describe, expect, it } from 'vitest';
import { completeCloudEvent, dataKind, newEnvelope, type EnvelopeContext } from '../../src/core/pubsub-envelope.js';
import { parsePublishOptions, parseRawPayload } from '../../src/core/pubsub-publish-options.js';
import { TopicAcl } from '../../src/core/pubsub-topic-acl.js';

const ctx = (extra: Partial<EnvelopeContext> = {}): EnvelopeContext => ({
  source: 'orders',
  topic: 't',
  pubsubName: 'p',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'k=v',
  overrides: {},
  now: new Date('2024-05-06T07:08:09.123Z'),
  ...extra,
});
const parse = (b: Buffer) => JSON.parse(b.toString()) as Record<string, unknown>;

describe('CloudEvent envelope', () => {
  it('builds daprd envelope fields around a JSON body, keeping its exact text', () => {
    const out = newEnvelope(Buffer.from('{"n":12345678901234567890}'), 'application/json', ctx());
    expect(out.toString()).toContain('"data":{"n":12345678901234567890}');
    expect(parse(out)).toMatchObject({
      specversion: '1.0',
      source: 'orders',
      type: 'com.dapr.event.sent',
      datacontenttype: 'application/json',
      topic: 't',
      pubsubname: 'p',
      traceid: ctx().traceparent,
      traceparent: ctx().traceparent,
      tracestate: 'k=v',
      time: '2024-05-06T07:08:09Z',
    });
    expect(parse(out).id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('classifies content types as daprd does', () => {
    expect(dataKind('Application/JSON; charset=utf-8')).toBe('json');
    expect(dataKind('application/octet-stream')).toBe('binary');
    for (const t of ['text/plain', 'application/xml', 'application/problem+json', undefined]) expect(dataKind(t)).toBe('text');
    expect(parse(newEnvelope(Buffer.from('{broken'), 'application/json', ctx())).data).toBe('{broken');
    expect(parse(newEnvelope(Buffer.from([1, 2, 250]), 'application/octet-stream', ctx())).data_base64).toBe('AQL6');
    const text = parse(newEnvelope(Buffer.from('<a/>'), undefined, ctx()));
    expect(text).toMatchObject({ data: '<a/>', datacontenttype: 'text/plain' });
  });

  it('writes overrides as given, as daprd does, even ones the CloudEvents schema would refuse', () => {
    const out = newEnvelope(Buffer.from('x'), 'text/plain', ctx({ overrides: { id: 'i', source: 'a b', subject: '' } }));
    expect(out.toString()).toBe(
      '{"id":"i","time":"2024-05-06T07:08:09Z","type":"com.dapr.event.sent","source":"a b","specversion":"1.0","datacontenttype":"text/plain","data":"x",' +
        `"topic":"t","pubsubname":"p","traceid":"${ctx().traceparent}","traceparent":"${ctx().traceparent}","tracestate":"k=v"}`,
    );
  });

  it('applies cloudevent.* overrides and expiration', () => {
    const out = parse(newEnvelope(Buffer.from('x'), 'text/plain', ctx({ overrides: { id: 'my-id', source: 'src', type: 'my.type', subject: 'sub', traceparent: 'tp' }, expiration: '2024-05-06T07:09:09Z' })));
    expect(out).toMatchObject({ id: 'my-id', source: 'src', type: 'my.type', subject: 'sub', traceparent: 'tp', traceid: 'tp', expiration: '2024-05-06T07:09:09Z' });
  });

  it('completes a CloudEvent built by the publisher and refuses one that is not an object', () => {
    const out = parse(completeCloudEvent(Buffer.from('{"id":"1","data":{"a":1},"traceparent":"mine","topic":"old"}'), ctx()));
    expect(out).toMatchObject({ id: '1', data: { a: 1 }, traceparent: 'mine', traceid: ctx().traceparent, topic: 't', pubsubname: 'p', source: 'Dapr', type: 'com.dapr.event.sent', specversion: '1.0', time: '2024-05-06T07:08:09Z' });
    expect(() => completeCloudEvent(Buffer.from('[1]'), ctx())).toThrow(/not a JSON object/);
    expect(() => completeCloudEvent(Buffer.from('{'), ctx())).toThrow();
  });
});

describe('publish metadata', () => {
  it('parses rawPayload like Go strconv.ParseBool, naming the field when it is bad', () => {
    expect(parseRawPayload('True')).toBe(true);
    expect(parseRawPayload('0')).toBe(false);
    expect(parseRawPayload(undefined)).toBe(false);
    expect(() => parseRawPayload('yes')).toThrow(/metadata\.rawPayload/);
  });

  it('reads ttlInSeconds or a ttl duration, and the overrides', () => {
    expect(parsePublishOptions({ ttlInSeconds: '30' }).ttlInSeconds).toBe(30);
    expect(parsePublishOptions({ ttl: '1m' }).ttlInSeconds).toBe(60);
    expect(parsePublishOptions({ ttlInSeconds: '0' }).ttlInSeconds).toBeUndefined();
    expect(() => parsePublishOptions({ ttlInSeconds: '1.5' })).toThrow(/metadata\.ttlInSeconds/);
    expect(() => parsePublishOptions({ ttl: 'soon' })).toThrow(/metadata\.ttl/);
    expect(parsePublishOptions({ 'cloudevent.ID': 'x', other: 'y' }).overrides).toEqual({ id: 'x' });
  });
});

describe('topic ACL', () => {
  it('applies allowedTopics, protectedTopics and scopes as daprd does', () => {
    const acl = new TopicAcl({ allowedTopics: 'a,b,c', protectedTopics: 'c', publishingScopes: 'me=b,c;other=a', subscriptionScopes: 'other=a' }, 'me');
    expect(acl.canPublish('a')).toBe(false); // scoped to b and c only
    expect(acl.canPublish('c')).toBe(true);
    expect(acl.canPublish('d')).toBe(false); // not in allowedTopics
    expect(acl.canSubscribe('a')).toBe(true);
    expect(acl.canSubscribe('c')).toBe(false); // protected, no subscription scope for me
    expect(new TopicAcl({ publishingScopes: 'me=' }, 'me').canPublish('x')).toBe(false);
    expect(new TopicAcl({}, 'me').canPublish('anything')).toBe(true);
  });
});
