import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { parseDuration } from '../../../util/duration.js';
import type { KafkaMetadata } from './settings.js';

/** A kafkajs client for the metadata daprd accepts; kafkajs's own logs go to our logger at debug. */
export function kafkaClient(md: KafkaMetadata, logger: Logger): Kafka {
  if (md.authType !== 'none' && md.authType !== 'password') throw new Error(`authType: "${md.authType}" is not supported by this build (use none or password)`);
  const config: KafkaConfig = {
    clientId: md.clientID,
    brokers: md.brokers.split(',').map((b) => b.trim()).filter(Boolean),
    connectionTimeout: parseDuration(md.dialTimeout) ?? 10_000,
    ssl: !md.disableTls,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => logger.debug({ kafka: entry.namespace, ...entry.log }, 'kafkajs'),
  };
  if (config.brokers.length === 0) throw new Error('brokers: at least one host:port is required');
  if (md.authType === 'password') {
    if (!md.saslUsername || !md.saslPassword) throw new Error('authType password needs saslUsername and saslPassword');
    config.sasl = saslOf(md) ;
  }
  return new Kafka(config);
}

function saslOf(md: KafkaMetadata): SASLOptions {
  const mechanism = md.saslMechanism.toUpperCase();
  const creds = { username: md.saslUsername!, password: md.saslPassword! };
  if (mechanism === 'SHA-256' || mechanism === 'SCRAM-SHA-256') return { mechanism: 'scram-sha-256', ...creds };
  if (mechanism === 'SHA-512' || mechanism === 'SCRAM-SHA-512') return { mechanism: 'scram-sha-512', ...creds };
  return { mechanism: 'plain', ...creds };
}
