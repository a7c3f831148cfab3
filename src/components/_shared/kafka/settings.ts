import type { MetadataProperty } from '../../../contracts/component.js';
import { kafkaTuningProperties, type KafkaTuning } from './tuning.js';

/** The authentication profiles daprd knows; the last three are accepted in YAML but refused at init. */
export const KAFKA_AUTH_TYPES = ['none', 'password', 'mtls', 'certificate', 'oidc', 'oidc_private_key_jwt', 'awsiam'] as const;
export type KafkaAuthType = (typeof KAFKA_AUTH_TYPES)[number];

/** Connection and authentication metadata every Kafka-backed component accepts, with daprd's names. */
export type KafkaConnection = {
  brokers: string;
  clientID: string;
  /** Unset means `none`, or what the deprecated `authRequired` implies (see `resolveAuthType`). */
  authType?: KafkaAuthType;
  authRequired?: boolean;
  saslUsername?: string;
  saslPassword?: string;
  saslMechanism: string;
  disableTls: boolean;
  skipVerify: boolean;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  dialTimeout: string;
  readTimeout: string;
};

/** What every Kafka-backed component accepts; adapters add the producer and consumer tuning they apply. */
export type KafkaMetadata = KafkaConnection & Pick<KafkaTuning, 'maxMessageBytes'>;

const duration = (def: string, description: string): MetadataProperty => ({ type: 'string', format: 'duration', default: def, description });
/** Keys daprd reads for authentication profiles this build cannot serve: accepted so YAML stays portable. */
const accepted = (description: string, sensitive = false): MetadataProperty => ({ type: 'string', description, ...(sensitive ? { sensitive } : {}) });

const connectionProperties: Record<string, MetadataProperty> = {
  brokers: { type: 'string', description: 'Comma-separated `host:port` list of brokers.' },
  clientID: { type: 'string', default: 'mecha', description: 'Client id the brokers see in their logs and quotas.' },
  authType: {
    type: 'string',
    enum: KAFKA_AUTH_TYPES,
    description: '`none` (default), `password` (SASL), `mtls` (client certificate), `certificate` (TLS with caCert). oidc, oidc_private_key_jwt and awsiam are refused at init.',
  },
  authRequired: { type: 'boolean', description: 'Deprecated: true means `password` when saslPassword is set, else `mtls`; false means `none`.' },
  saslUsername: { type: 'string', description: 'SASL user (authType password).' },
  saslPassword: { type: 'string', sensitive: true, description: 'SASL password (authType password).' },
  saslMechanism: { type: 'string', default: 'PLAINTEXT', description: 'SHA-256 or SHA-512 (SCRAM); anything else is SASL/PLAIN, as in daprd.' },
  disableTls: { type: 'boolean', default: false, description: 'Plain TCP even with authentication; TLS is never used with authType none.' },
  skipVerify: { type: 'boolean', default: false, description: 'Accept any broker certificate (insecure).' },
  caCert: { type: 'string', description: 'PEM certificate authority that signed the brokers\' certificates.' },
  clientCert: { type: 'string', description: 'PEM client certificate (authType mtls).' },
  clientKey: { type: 'string', sensitive: true, description: 'PEM client key (authType mtls).' },
  dialTimeout: duration('30s', 'How long a connection to a broker may take to open.'),
  readTimeout: duration('30s', 'How long a request may wait for the broker\'s answer.'),
  writeTimeout: duration('30s', 'Accepted for daprd compatibility; requests are bounded by readTimeout.'),
  metadataTimeout: duration('0', 'Accepted for daprd compatibility; metadata requests are bounded by readTimeout.'),
  version: { type: 'string', description: 'Accepted for daprd compatibility; protocol versions are negotiated with the broker.' },
  oidcTokenEndpoint: accepted('OIDC token endpoint (authType oidc, not supported by this build).'),
  oidcClientID: accepted('OIDC client id (not supported by this build).'),
  oidcClientSecret: accepted('OIDC client secret (not supported by this build).', true),
  oidcScopes: accepted('OIDC scopes (not supported by this build).'),
  oidcExtensions: accepted('OIDC extensions (not supported by this build).'),
  oidcClientAssertionCert: accepted('OIDC client assertion certificate (not supported by this build).'),
  oidcClientAssertionKey: accepted('OIDC client assertion key (not supported by this build).', true),
  oidcResource: accepted('OIDC resource (not supported by this build).'),
  oidcAudience: accepted('OIDC audience (not supported by this build).'),
  oidcKid: accepted('OIDC key id (not supported by this build).'),
  awsRegion: accepted('AWS region (authType awsiam, not supported by this build).'),
  awsAccessKey: accepted('AWS access key (not supported by this build).'),
  awsSecretKey: accepted('AWS secret key (not supported by this build).', true),
  awsSessionToken: accepted('AWS session token (not supported by this build).', true),
  awsIamRoleArn: accepted('AWS IAM role to assume (not supported by this build).'),
  awsStsSessionName: accepted('AWS STS session name (not supported by this build).'),
};

/**
 * The client settings every Kafka-backed component honours through `kafkaClient`. Producer and consumer
 * tuning (`kafkaTuningProperties`) is added by each adapter that applies it, so no schema lists a key
 * its adapter would ignore.
 */
export const kafkaMetadataProperties: Record<string, MetadataProperty> = { ...connectionProperties, maxMessageBytes: kafkaTuningProperties.maxMessageBytes! };

export const kafkaMetadataRequired = ['brokers'];

/** daprd's rule for the deprecated `authRequired` when `authType` is not given; `none` otherwise. */
export function resolveAuthType(md: Pick<KafkaConnection, 'authType' | 'authRequired' | 'saslPassword'>): KafkaAuthType {
  if (md.authType) return md.authType;
  if (md.authRequired === true) return md.saslPassword ? 'password' : 'mtls';
  return 'none';
}
