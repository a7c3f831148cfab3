import type { TestProject } from 'vitest/node';
import { ensureKafkaServer, type KafkaServer } from './support/kafka-server.js';
import { ensureRedisServer, type RedisServer } from './support/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of the Redis started once for the whole run. */
    redisAddress: string;
    /** `host:port` of the Kafka broker (KRaft) started once for the whole run. */
    kafkaBrokers: string;
    /** `host:port` of that broker's SASL listener (`KAFKA_SASL_USER`); empty for an external broker. */
    kafkaSaslBrokers: string;
  }
}

let redis: RedisServer | undefined;
let kafka: KafkaServer | undefined;

/** Starts each backing server once per run (not once per file) and stops it at the end. */
export async function setup(project: TestProject): Promise<void> {
  [redis, kafka] = await Promise.all([ensureRedisServer(), ensureKafkaServer()]);
  project.provide('redisAddress', `${redis.host}:${redis.port}`);
  project.provide('kafkaBrokers', kafka.brokers);
  project.provide('kafkaSaslBrokers', kafka.saslBrokers ?? '');
}

export async function teardown(): Promise<void> {
  await Promise.all([redis?.stop(), kafka?.stop()]);
}
