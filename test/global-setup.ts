import type { TestProject } from 'vitest/node';
import { ensureKafkaServer, type KafkaServer } from './support/kafka-server.js';
import { ensureRedisServer, type RedisServer } from './support/redis-server.js';
import { ensureMosquitto, type MqttBroker } from './support/mosquitto-server.js';
import { ensureNatsServer, type NatsServer } from './support/nats-server.js';
import { ensureRabbitMq, type RabbitMqServer } from './support/rabbitmq-server.js';
import { ensurePostgres, type PostgresServer } from './support/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of the Redis started once for the whole run. */
    redisAddress: string;
    /** `host:port` of the Kafka broker (KRaft) started once for the whole run. */
    kafkaBrokers: string;
    /** `host:port` of that broker's SASL listener (`KAFKA_SASL_USER`); empty for an external broker. */
    kafkaSaslBrokers: string;
    /** `tcp://host:port` of the MQTT broker (Mosquitto). */
    mqttUrl: string;
    /** `nats://host:port` of the NATS server (JetStream on). */
    natsUrl: string;
    /** `amqp://guest:guest@host:port` of the RabbitMQ node. */
    amqpUrl: string;
    /** Connection string of the PostgreSQL server (database `postgres`). */
    postgresUrl: string;
  }
}

let redis: RedisServer | undefined;
let kafka: KafkaServer | undefined;
let mqtt: MqttBroker | undefined;
let nats: NatsServer | undefined;
let rabbit: RabbitMqServer | undefined;
let postgres: PostgresServer | undefined;

/** Starts each backing server once per run (not once per file) and stops it at the end. */
export async function setup(project: TestProject): Promise<void> {
  [redis, kafka, mqtt, nats, rabbit, postgres] = await Promise.all([
    ensureRedisServer(),
    ensureKafkaServer(),
    ensureMosquitto(),
    ensureNatsServer(),
    ensureRabbitMq(),
    ensurePostgres(),
  ]);
  project.provide('redisAddress', `${redis.host}:${redis.port}`);
  project.provide('kafkaBrokers', kafka.brokers);
  project.provide('kafkaSaslBrokers', kafka.saslBrokers ?? '');
  project.provide('mqttUrl', mqtt.url);
  project.provide('natsUrl', nats.url);
  project.provide('amqpUrl', rabbit.url);
  project.provide('postgresUrl', postgres.url);
}

export async function teardown(): Promise<void> {
  await Promise.all([redis?.stop(), kafka?.stop(), mqtt?.stop(), nats?.stop(), rabbit?.stop(), postgres?.stop()]);
}
