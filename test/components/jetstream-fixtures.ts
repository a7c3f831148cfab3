import { randomUUID } from 'node:crypto';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { pino } from 'pino';
import { expect, inject } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { PubSub, PubSubMessage } from '../../src/contracts/pubsub.js';
import { jetstreamPubSub } from '../../src/components/pubsub/jetstream/index.js';

/** Helpers shared by the `pubsub.jetstream` adapter tests, against the server the global setup started. */

export const natsUrl = (): string => inject('natsUrl');
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const seqOf = (m: PubSubMessage): number => JSON.parse(m.data.toString()).seq as number;
export const event = (seq: number): Buffer => Buffer.from(JSON.stringify({ seq }));

/** Polls until `done()` holds or the bound passes; the caller's assertions then say what is missing. */
export async function waitUntil(done: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(20);
}

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
export async function initialise(metadata: Record<string, string>): Promise<PubSub> {
  const checked = validateAdapterMetadata(jetstreamPubSub, metadata);
  expect(checked.errors).toEqual([]);
  const ps = (await jetstreamPubSub.load())({ name: 'jetstream-test', logger: pino({ level: 'silent' }) });
  await ps.init(checked.value);
  return ps;
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
