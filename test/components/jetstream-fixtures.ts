import { randomUUID } from 'node:crypto';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { inject } from 'vitest';
import type { PubSub, PubSubMessage } from '../../src/contracts/pubsub.js';
import { jetstreamPubSub } from '../../src/components/pubsub/jetstream/index.js';
import { initAdapter, sleep, waitUntil } from '../support/adapter-fixtures.js';

export { sleep, waitUntil };

/** Helpers shared by the `pubsub.jetstream` adapter tests, against the server the global setup started. */

export const natsUrl = (): string => inject('natsUrl');
export const seqOf = (m: PubSubMessage): number => JSON.parse(m.data.toString()).seq as number;
export const event = (seq: number): Buffer => Buffer.from(JSON.stringify({ seq }));

export function collector() {
  const messages: PubSubMessage[] = [];
  return { messages, seqs: () => messages.map(seqOf), handler: async (m: PubSubMessage) => void messages.push(m) };
}

/** Creates, validates (as a YAML author writes it) and initialises adapters; `closeAll` ends them. */
export function pubsubFactory(url: () => string = natsUrl) {
  const made: PubSub[] = [];
  return {
    async create(metadata: Record<string, string> = {}): Promise<PubSub> {
      const ps = await initialise({ natsURL: url(), ...metadata });
      made.push(ps);
      return ps;
    },
    async closeAll(): Promise<void> {
      await Promise.allSettled(made.splice(0).map((p) => p.close()));
    },
  };
}

/** One adapter from YAML-style metadata; init errors reach the caller. */
export function initialise(metadata: Record<string, string>): Promise<PubSub> {
  return initAdapter(jetstreamPubSub, metadata);
}

/**
 * A stream of the test's own, as an operator would create it (daprd creates none): `jst.<id>.>` subjects
 * in stream `jst-<id>`, so tests never share state. `topic(name)` names a subject it captures.
 */
export async function ownStream(): Promise<{ name: string; topic: (name: string) => string; jsm: JetStreamManager; close(): Promise<void> }> {
  const id = randomUUID().slice(0, 8);
  const nc: NatsConnection = await connect({ servers: natsUrl() });
  const jsm = await nc.jetstreamManager();
  const name = `jst-${id}`;
  await jsm.streams.add({ name, subjects: [`jst.${id}.>`] });
  return {
    name,
    jsm,
    topic: (t) => `jst.${id}.${t}`,
    async close() {
      await jsm.streams.delete(name).catch(() => undefined);
      await nc.close();
    },
  };
}

/** The streams a test file creates with `stream()`, all deleted by `closeAll`. */
export function streamPool() {
  const made: Array<Awaited<ReturnType<typeof ownStream>>> = [];
  return {
    async stream() {
      const s = await ownStream();
      made.push(s);
      return s;
    },
    async closeAll(): Promise<void> {
      for (const s of made.splice(0)) await s.close();
    },
  };
}
