import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { resolveAuthType, type KafkaConnection } from './settings.js';
import { ms } from './tuning.js';

/**
 * A kafkajs client for the connection metadata daprd accepts. TLS follows daprd: never with authType
 * none or `disableTls`, otherwise on, verified against `caCert` (or the system roots) unless `skipVerify`.
 */
export function kafkaClient(md: KafkaConnection, logger: Logger): Kafka {
  const brokers = md.brokers.split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new Error('brokers: at least one host:port is required');
  const auth = resolveAuthType(md);
  const config: KafkaConfig = {
    clientId: md.clientID,
    brokers,
    connectionTimeout: ms('dialTimeout', md.dialTimeout),
    requestTimeout: ms('readTimeout', md.readTimeout),
    logLevel: logLevel.INFO,
    logCreator: () => (entry) => log(logger, entry),
  };
  if (auth === 'oidc' || auth === 'oidc_private_key_jwt' || auth === 'awsiam') {
    throw new Error(`authType: "${auth}" is not supported by this build (use none, password, mtls or certificate)`);
  }
  if (auth === 'password') {
    if (!md.saslUsername || !md.saslPassword) throw new Error('authType password needs saslUsername and saslPassword');
    config.sasl = sasl(md.saslMechanism, md.saslUsername, md.saslPassword);
  }
  if (auth === 'mtls' && md.disableTls) throw new Error('authType mtls needs TLS: remove disableTls');
  if (auth === 'mtls' && !md.clientCert !== !md.clientKey) throw new Error('authType mtls needs both clientCert and clientKey');
  if (auth === 'certificate' && !md.caCert) throw new Error('authType certificate needs caCert');
  if (auth !== 'none' && !md.disableTls) config.ssl = tls(md);
  return new Kafka(config);
}

function tls(md: KafkaConnection): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: !md.skipVerify, minVersion: 'TLSv1.2' };
  if (md.caCert) options.ca = [pem('caCert', md.caCert)];
  if (md.clientCert && md.clientKey) {
    options.cert = pem('clientCert', md.clientCert);
    options.key = pem('clientKey', md.clientKey);
  }
  return options;
}

function pem(field: string, text: string): string {
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) throw new Error(`${field}: not a PEM block`);
  return text;
}

/** daprd's names: SHA-256 / SHA-512 select SCRAM, anything else SASL/PLAIN. */
function sasl(mechanism: string, username: string, password: string): SASLOptions {
  const m = mechanism.toUpperCase().replace(/^SCRAM-/, '');
  if (m === 'SHA-256') return { mechanism: 'scram-sha-256', username, password };
  if (m === 'SHA-512') return { mechanism: 'scram-sha-512', username, password };
  return { mechanism: 'plain', username, password };
}

/**
 * kafkajs reports every retriable protocol answer (a rebalance, a coordinator still loading) as an
 * error; those are routine for a consumer group, so its log goes to debug. Crashes that matter are
 * reported by the consumer's own crash handling.
 */
function log(logger: Logger, { namespace, level, log: fields }: LogEntry): void {
  const { message, timestamp: _t, logger: _l, ...rest } = fields;
  logger.debug({ kafka: namespace, kafkaLevel: level, detail: message, ...rest }, 'kafkajs');
}
