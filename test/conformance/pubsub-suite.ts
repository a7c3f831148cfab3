import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import { PubSubFeature, hasBulkPublish, type PubSub, type PubSubMessage } from '../../src/contracts/pubsub.js';
import type { PubSubAdapterCase, PubSubEnv } from './pubsub-matrix.js';

const N = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done()` holds or the deadline passes; the caller's assertion then reports what is missing. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(20);
}

/**
 * A subscriber that fails the first two deliveries and every fifth one, as the brokers must survive an
 * app that keeps failing: every message still arrives, duplicates are counted, none is lost.
 */
function flakyCollector() {
  let deliveries = 0;
  const firstSeen: number[] = [];
  const acked = new Set<number>();
  let duplicates = 0;
  const handler = async (m: PubSubMessage): Promise<void> => {
    deliveries++;
    const seq = Number(JSON.parse(m.data.toString()).seq);
    if (!firstSeen.includes(seq)) firstSeen.push(seq);
    if (deliveries <= 2 || deliveries % 5 === 0) throw new Error(`delivery ${deliveries} fails on purpose`);
    if (acked.has(seq)) duplicates++;
    acked.add(seq);
  };
  return { handler, firstSeen, acked, get duplicates() { return duplicates; }, get deliveries() { return deliveries; } };
}

function collector() {
  const messages: PubSubMessage[] = [];
  return { messages, handler: async (m: PubSubMessage) => void messages.push(m) };
}

const payload = (seq: number) => ({ data: Buffer.from(JSON.stringify({ seq })), contentType: 'application/json', metadata: {} });

/**
 * The one pub/sub conformance suite: every adapter runs it unchanged. It drives the adapter contract
 * directly (no sidecar), so it checks the broker's own guarantees: acknowledgement only after the
 * handler resolved, redelivery after it rejected, consumer groups, close.
 */
export function describePubSubConformance(c: PubSubAdapterCase, env: () => PubSubEnv): void {
  describe(`${c.descriptor.type} conformance`, () => {
    const run = randomUUID().slice(0, 8);
    const topic = (name: string) => `conformance-${run}-${name}`;
    const group = `group-${run}`;
    const created: PubSub[] = [];
    let skipReason: string | undefined;
    let ps: PubSub;

    async function instance(): Promise<PubSub> {
      const checked = validateAdapterMetadata(c.descriptor, c.metadata(env()));
      expect(checked.errors).toEqual([]);
      const create = await c.descriptor.load();
      const p = create({ name: 'conformance', logger: pino({ level: 'silent' }) });
      await p.init(checked.value);
      created.push(p);
      return p;
    }

    beforeAll(async () => {
      skipReason = c.skip?.(env());
      if (!skipReason) ps = await instance();
    });

    afterAll(async () => {
      for (const p of created) {
        await p.close();
        await p.close(); // close is idempotent
      }
    });

    // Brokers that rebalance consumer groups (Kafka) need longer than the in-process ones.
    const patience = Math.max(5000, c.redeliveryWithinMs * 4);
    const test = (name: string, fn: (annotate: (note: string) => Promise<void>) => Promise<void>, timeoutMs = 30_000) =>
      it(name, async (ctx) => {
        if (skipReason) return ctx.skip(skipReason);
        await fn(async (note) => void (await ctx.annotate(note)));
      }, timeoutMs);

    test('declares exactly the features of the matrix', async () => {
      expect([...ps.features()].sort()).toEqual([...c.features].sort());
      expect(hasBulkPublish(ps)).toBe(c.features.includes(PubSubFeature.BulkPublish));
    });

    test('delivers every message despite a failing subscriber, first deliveries in publish order', async (annotate) => {
      const t = topic('flaky');
      const sink = flakyCollector();
      const sub = await ps.subscribe({ topic: t, consumerId: group, metadata: {} }, sink.handler);
      for (let i = 0; i < N; i++) await ps.publish({ topic: t, ...payload(i) });
      await waitUntil(() => sink.acked.size === N, c.redeliveryWithinMs * 6 + 3000);
      await sub.close();
      expect([...sink.acked].sort((a, b) => a - b)).toEqual([...Array(N).keys()]);
      expect(sink.firstSeen).toEqual([...Array(N).keys()]);
      expect(sink.deliveries).toBeGreaterThanOrEqual(N + 2);
      expect(sink.duplicates, 'duplicates are tolerated but counted').toBeLessThan(N);
      await annotate(`${N} messages, ${sink.deliveries} deliveries, ${sink.duplicates} acknowledged twice`);
    });

    test('keeps topics apart', async () => {
      const [a, b] = [collector(), collector()];
      const subs = [
        await ps.subscribe({ topic: topic('a'), consumerId: group, metadata: {} }, a.handler),
        await ps.subscribe({ topic: topic('b'), consumerId: group, metadata: {} }, b.handler),
      ];
      for (let i = 0; i < 5; i++) {
        await ps.publish({ topic: topic('a'), ...payload(i) });
        await ps.publish({ topic: topic('b'), ...payload(100 + i) });
      }
      await waitUntil(() => a.messages.length >= 5 && b.messages.length >= 5, patience);
      for (const s of subs) await s.close();
      expect(a.messages.map((m) => m.topic)).toEqual(Array(5).fill(topic('a')));
      expect(b.messages.map((m) => JSON.parse(m.data.toString()).seq)).toEqual([100, 101, 102, 103, 104]);
    });

    test('returns payload bytes, content type and publish metadata', async () => {
      const t = topic('meta');
      const sink = collector();
      const sub = await ps.subscribe({ topic: t, consumerId: group, metadata: {} }, sink.handler);
      const bytes = Buffer.from([0, 255, 1, 128, 10]);
      await ps.publish({ topic: t, data: bytes, contentType: 'application/octet-stream', metadata: { color: 'blue' } });
      await waitUntil(() => sink.messages.length === 1, patience);
      await sub.close();
      expect(sink.messages[0]?.data.equals(bytes)).toBe(true);
      expect(sink.messages[0]?.topic).toBe(t);
      if (c.broker.carriesMetadata) expect(sink.messages[0]?.metadata.color).toBe('blue');
    });

    test('stops delivering after close; a durable broker keeps the messages for the group', async () => {
      const t = topic('close');
      const first = collector();
      const sub = await ps.subscribe({ topic: t, consumerId: group, metadata: {} }, first.handler);
      await ps.publish({ topic: t, ...payload(1) });
      await waitUntil(() => first.messages.length === 1, patience);
      await sub.close();
      await sub.close();
      await ps.publish({ topic: t, ...payload(2) });
      await sleep(300);
      expect(first.messages.map((m) => JSON.parse(m.data.toString()).seq)).toEqual([1]);
      if (!c.broker.shared) return;
      const second = collector();
      const again = await ps.subscribe({ topic: t, consumerId: group, metadata: {} }, second.handler);
      await waitUntil(() => second.messages.length === 1, patience);
      await again.close();
      expect(second.messages.map((m) => JSON.parse(m.data.toString()).seq)).toEqual([2]);
    });

    test('shares a consumer group between instances and fans out to different groups', async () => {
      if (!c.broker.shared) return;
      const [other, third] = [await instance(), await instance()];
      const t = topic('groups');
      const [g1a, g1b, g2] = [collector(), collector(), collector()];
      const subs = [
        await ps.subscribe({ topic: t, consumerId: group, metadata: {} }, g1a.handler),
        await other.subscribe({ topic: t, consumerId: group, metadata: {} }, g1b.handler),
        await third.subscribe({ topic: t, consumerId: `${group}-other`, metadata: {} }, g2.handler),
      ];
      for (let i = 0; i < 20; i++) await ps.publish({ topic: t, ...payload(i) });
      await waitUntil(() => g1a.messages.length + g1b.messages.length >= 20 && g2.messages.length >= 20, patience * 2);
      for (const s of subs) await s.close();
      const seqs = (ms: PubSubMessage[]) => ms.map((m) => JSON.parse(m.data.toString()).seq as number);
      expect([...seqs(g1a.messages), ...seqs(g1b.messages)].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
      expect(seqs(g2.messages).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    });

    test('bulk-publishes when it offers bulkPublish', async () => {
      if (!hasBulkPublish(ps)) return;
      const t = topic('bulk');
      const sink = collector();
      const sub = await ps.subscribe({ topic: t, consumerId: group, metadata: {} }, sink.handler);
      const entries = [0, 1, 2].map((i) => ({ entryId: `e${i}`, ...payload(i) }));
      expect((await ps.bulkPublish({ topic: t, entries, metadata: {} })).failedEntries).toEqual([]);
      await waitUntil(() => sink.messages.length === 3, patience);
      await sub.close();
      expect(sink.messages).toHaveLength(3);
    });

    test('expires messages natively when it declares MESSAGE_TTL', async () => {
      if (!c.features.includes(PubSubFeature.MessageTtl)) return;
      const t = topic('ttl');
      const sink = collector();
      const sub = await ps.subscribe({ topic: t, consumerId: group, metadata: {} }, sink.handler);
      await sub.close();
      await ps.publish({ topic: t, ...payload(1), ttlInSeconds: 1 });
      await sleep(1500);
      const again = await ps.subscribe({ topic: t, consumerId: group, metadata: {} }, sink.handler);
      await sleep(500);
      await again.close();
      expect(sink.messages).toHaveLength(0);
    });

    test('matches wildcard topics when it declares SUBSCRIBE_WILDCARDS', async () => {
      if (!c.features.includes(PubSubFeature.SubscribeWildcards) || !c.wildcard) return;
      const w = c.wildcard;
      const sink = collector();
      const sub = await ps.subscribe({ topic: w.pattern, consumerId: group, metadata: {} }, sink.handler);
      for (const [i, t] of [...w.matching, w.notMatching].entries()) await ps.publish({ topic: t, ...payload(i) });
      await waitUntil(() => sink.messages.length >= w.matching.length, patience);
      await sleep(100);
      await sub.close();
      expect(sink.messages.map((m) => m.topic).sort()).toEqual([...w.matching].sort());
    });
  });
}
