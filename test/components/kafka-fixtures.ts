import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { pino } from 'pino';
import { expect, inject } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { PubSub, PubSubMessage } from '../../src/contracts/pubsub.js';
import { kafkaPubSub } from '../../src/components/pubsub/kafka/index.js';

/** Helpers shared by the `pubsub.kafka` adapter tests, all against the broker the global setup started. */

export const brokers = (): string => inject('kafkaBrokers');
export const unique = (name: string): string => `kafka-${name}-${randomUUID().slice(0, 8)}`;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const seqOf = (m: PubSubMessage): number => JSON.parse(m.data.toString()).seq as number;
export const event = (seq: number, extra: Record<string, unknown> = {}): Buffer => Buffer.from(JSON.stringify({ seq, ...extra }));

/** Polls until `done()` holds or the bound passes; the caller's assertions then say what is missing. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(25);
}

/** Creates, validates (as a YAML author would write it) and initialises adapters; `closeAll` ends them. */
export function pubsubFactory() {
  const made: PubSub[] = [];
  return {
    async create(metadata: Record<string, string> = {}): Promise<PubSub> {
      const checked = validateAdapterMetadata(kafkaPubSub, { brokers: brokers(), sessionTimeout: '6s', heartbeatInterval: '1s', ...metadata });
      expect(checked.errors).toEqual([]);
      const ps = (await kafkaPubSub.load())({ name: 'kafka-test', logger: pino({ level: 'silent' }) });
      await ps.init(checked.value);
      made.push(ps);
      return ps;
    },
    async closeAll(): Promise<void> {
      await Promise.allSettled(made.splice(0).map((p) => p.close()));
    },
  };
}

/** A plain kafkajs admin, for creating multi-partition topics and reading committed offsets. */
export async function kafkaAdmin(): Promise<Admin & { kafka: Kafka }> {
  const kafka = new Kafka({ clientId: 'kafka-test-admin', brokers: [brokers()], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  return Object.assign(admin, { kafka });
}

export async function createTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
}

/** The group's committed offset per partition (-1: none yet). */
export async function committed(admin: Admin, groupId: string, topic: string): Promise<Record<number, number>> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

export function collector() {
  const messages: PubSubMessage[] = [];
  return { messages, handler: async (m: PubSubMessage) => void messages.push(m) };
}
