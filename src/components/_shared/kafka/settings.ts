import type { MetadataProperty } from '../../../contracts/component.js';

/** Client metadata every Kafka-backed component accepts, with daprd's names (validated and coerced). */
export type KafkaMetadata = {
  brokers: string;
  clientID: string;
  authType: 'none' | 'password' | 'mtls' | 'oidc' | 'awsiam';
  saslUsername?: string;
  saslPassword?: string;
  saslMechanism: string;
  disableTls: boolean;
  maxMessageBytes: number;
  dialTimeout: string;
};

export const kafkaMetadataProperties: Record<string, MetadataProperty> = {
  brokers: { type: 'string', description: 'Comma-separated `host:port` list of brokers.' },
  clientID: { type: 'string', default: 'mecha', description: 'Client id the brokers see.' },
  authType: { type: 'string', enum: ['none', 'password', 'mtls', 'oidc', 'awsiam'], default: 'none', description: 'How to authenticate; `password` is SASL with saslUsername/saslPassword (mtls, oidc, awsiam are refused at init).' },
  saslUsername: { type: 'string', description: 'SASL user (authType password).' },
  saslPassword: { type: 'string', sensitive: true, description: 'SASL password (authType password).' },
  saslMechanism: { type: 'string', default: 'PLAINTEXT', description: 'PLAINTEXT (plain), SHA-256 or SHA-512 (SCRAM).' },
  disableTls: { type: 'boolean', default: true, description: 'Connect without TLS.' },
  maxMessageBytes: { type: 'integer', minimum: 1, default: 1048576, description: 'Largest message the producer sends.' },
  dialTimeout: { type: 'string', format: 'duration', default: '10s', description: 'Connection timeout.' },
};

export const kafkaMetadataRequired = ['brokers'];
