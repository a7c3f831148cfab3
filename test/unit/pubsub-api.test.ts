import { describe, expect, it } from 'vitest';
import { PubSubFeature, type BulkPublishRequest, type PubSub, type PublishRequest } from '../../src/contracts/pubsub.js';
import { PubSubApi, type PubSubComponents } from '../../src/core/pubsub-api.js';
import { TopicAcl } from '../../src/core/pubsub-topic-acl.js';
import { SidecarError } from '../../src/errors/sidecar-error.js';

/** A broker that records what it is given and fails on the topics it is told to. */
function fakeBroker(features: PubSubFeature[] = [], failing = new Set<string>()) {
  const published: PublishRequest[] = [];
  const bulks: BulkPublishRequest[] = [];
  const broker: PubSub & { bulkPublish?: unknown } = {
    init: async () => undefined,
    close: async () => undefined,
    features: () => features,
    publish: async (req) => {
      if (failing.has(req.topic) || req.data.toString().includes('"fail"')) throw new Error('broker down');
      published.push(req);
    },
    subscribe: async () => ({ close: async () => undefined }),
  };
  if (features.includes(PubSubFeature.BulkPublish)) {
    broker.bulkPublish = async (req: BulkPublishRequest) => {
      bulks.push(req);
      return { failedEntries: [] };
    };
  }
  return { broker, published, bulks };
}

const components = (brokers: Record<string, PubSub>, runtime: Record<string, string> = {}): PubSubComponents => ({
  count: () => Object.keys(brokers).length,
  find: (name) => (brokers[name] ? { pubsub: brokers[name], acl: new TopicAcl(runtime, 'app') } : undefined),
});
const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: '' };
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: SidecarError) => `${e.kind.http} ${e.code}`);

describe('PubSubApi', () => {
  it('answers the lookup errors in daprd order', async () => {
    const none = new PubSubApi('app', components({}));
    expect(await codeOf(none.publish({ pubsubName: 'p', topic: 't', data: Buffer.alloc(0), metadata: {}, ...trace }))).toBe('400 ERR_PUBSUB_NOT_CONFIGURED');
    const api = new PubSubApi('app', components({ p: fakeBroker().broker }, { allowedTopics: 't' }));
    const pub = (pubsubName: string, topic: string) => codeOf(api.publish({ pubsubName, topic, data: Buffer.alloc(0), metadata: {}, ...trace }));
    expect(await pub('', 't')).toBe('404 ERR_PUBSUB_EMPTY');
    expect(await pub('q', 't')).toBe('404 ERR_PUBSUB_NOT_FOUND');
    expect(await pub('p', '')).toBe('404 ERR_TOPIC_NAME_EMPTY');
    expect(await pub('p', 'other')).toBe('403 ERR_PUBSUB_FORBIDDEN');
    expect(await pub('p', 't')).toBe('ok');
  });

  it('wraps in a CloudEvent unless raw, and hands TTL to a broker that expires messages itself', async () => {
    const plain = fakeBroker();
    const native = fakeBroker([PubSubFeature.MessageTtl]);
    const api = new PubSubApi('app', components({ plain: plain.broker, native: native.broker }));
    await api.publish({ pubsubName: 'plain', topic: 't', data: Buffer.from('hi'), metadata: { ttlInSeconds: '5' }, ...trace });
    await api.publish({ pubsubName: 'native', topic: 't', data: Buffer.from('hi'), metadata: { ttlInSeconds: '5' }, ...trace });
    await api.publish({ pubsubName: 'plain', topic: 't', data: Buffer.from('raw'), contentType: 'text/plain', metadata: { rawPayload: 'true' }, ...trace });
    const [wrapped, raw] = plain.published;
    expect(wrapped.contentType).toBe('application/cloudevents+json');
    expect(JSON.parse(wrapped.data.toString())).toMatchObject({ data: 'hi', source: 'app', expiration: expect.any(String) });
    expect(wrapped.ttlInSeconds).toBeUndefined();
    expect(native.published[0].ttlInSeconds).toBe(5);
    expect(JSON.parse(native.published[0].data.toString()).expiration).toBeUndefined();
    expect(raw).toMatchObject({ data: Buffer.from('raw'), contentType: 'text/plain', metadata: { rawPayload: 'true' } });
  });

  it('reports a broker failure as ERR_PUBSUB_PUBLISH_MESSAGE naming topic and pubsub', async () => {
    const api = new PubSubApi('app', components({ p: fakeBroker([], new Set(['t'])).broker }));
    const err = await api.publish({ pubsubName: 'p', topic: 't', data: Buffer.alloc(0), metadata: {}, ...trace }).catch((e: SidecarError) => e);
    expect(err).toMatchObject({ code: 'ERR_PUBSUB_PUBLISH_MESSAGE', message: 'error when publish to topic t in pubsub p: broker down' });
  });

  it('bulk-publishes entry by entry without native support, listing the entries that failed', async () => {
    const { broker, published } = fakeBroker();
    const api = new PubSubApi('app', components({ p: broker }));
    const entry = (entryId: string, v: string) => ({ entryId, event: Buffer.from(JSON.stringify(v)), contentType: 'application/json', metadata: {} });
    const res = await api.bulkPublish({ pubsubName: 'p', topic: 't', entries: [entry('1', 'ok'), entry('2', 'fail'), entry('3', 'ok')], metadata: { shared: 'x' }, ...trace });
    expect(res.failedEntries).toEqual([{ entryId: '2', error: expect.stringContaining('broker down') }]);
    expect(published.map((p) => p.metadata)).toEqual([{ shared: 'x' }, { shared: 'x' }]);
    expect(await codeOf(api.bulkPublish({ pubsubName: 'p', topic: 't', entries: [entry('1', 'a'), entry('1', 'b')], metadata: {}, ...trace }))).toBe('400 ERR_PUBSUB_EVENTS_SER');
    expect(await codeOf(api.bulkPublish({ pubsubName: 'p', topic: 't', entries: [entry('', 'a')], metadata: {}, ...trace }))).toBe('400 ERR_PUBSUB_EVENTS_SER');
  });

  it('uses a broker native bulk publish when it declares one', async () => {
    const { broker, bulks } = fakeBroker([PubSubFeature.BulkPublish]);
    const api = new PubSubApi('app', components({ p: broker }));
    const res = await api.bulkPublish({ pubsubName: 'p', topic: 't', entries: [{ entryId: 'a', event: Buffer.from('x'), contentType: 'text/plain', metadata: { own: '1' } }], metadata: { shared: '2' }, ...trace });
    expect(res.failedEntries).toEqual([]);
    expect(bulks[0].entries[0]).toMatchObject({ entryId: 'a', contentType: 'application/cloudevents+json', metadata: { own: '1', shared: '2' } });
  });
});
