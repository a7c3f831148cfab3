import { credentials } from 'amqplib';
import { parseDuration } from '../../../util/duration.js';
import type { RabbitMqMetadata } from './rabbitmq-pubsub.js';

/** What `amqplib.connect` needs, built from daprd's connection metadata. */
export interface AmqpTarget {
  url: string;
  /** `host:port` for messages (never the credentials). */
  address: string;
  socketOptions: Record<string, unknown>;
}

/**
 * daprd's two ways to name the broker: `connectionString` (older name `host`), or `protocol` + `hostname`
 * + `username` + `password`. TLS material applies to `amqps`; `saslExternal` authenticates with the
 * client certificate. `heartBeat` becomes the URL's `heartbeat` unless the URL sets one. Throws naming
 * the field at fault.
 */
export function amqpTarget(md: RabbitMqMetadata): AmqpTarget {
  let url: URL;
  if (md.connectionString) {
    try {
      url = new URL(md.connectionString);
    } catch {
      throw new Error('connectionString is not a valid amqp:// or amqps:// URL');
    }
    const scheme = url.protocol.slice(0, -1);
    if (md.protocol && md.protocol !== scheme) throw new Error(`protocol "${md.protocol}" does not match the connectionString scheme "${scheme}"`);
  } else {
    url = new URL(`${md.protocol ?? 'amqp'}://${md.hostname}`);
    if (md.username) url.username = encodeURIComponent(md.username);
    if (md.password) url.password = encodeURIComponent(md.password);
  }
  const heartbeatMs = parseDuration(md.heartBeat, 's');
  if (heartbeatMs === undefined || heartbeatMs < 0) throw new Error(`heartBeat "${md.heartBeat}" is not a duration`);
  if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(Math.round(heartbeatMs / 1000)));

  const tls = url.protocol === 'amqps:';
  if (md.saslExternal && !(md.caCert && md.clientCert && md.clientKey)) {
    throw new Error('saslExternal needs caCert, clientCert and clientKey');
  }
  const socketOptions: Record<string, unknown> = {};
  if (md.clientName) socketOptions.clientProperties = { connection_name: md.clientName };
  if (tls && md.caCert) socketOptions.ca = [md.caCert];
  if (tls && md.clientCert && md.clientKey) Object.assign(socketOptions, { cert: md.clientCert, key: md.clientKey });
  if (tls && md.saslExternal) socketOptions.credentials = credentials.external();
  return { url: url.toString(), address: url.host, socketOptions };
}

/** daprd's publish properties from publish metadata (keys matched case-insensitively, as daprd does). */
export function publishProperties(metadata: Record<string, string>): { messageId?: string; correlationId?: string; type?: string; contentType?: string; priority?: number } {
  const get = (key: string) => {
    if (metadata[key]) return metadata[key];
    const found = Object.keys(metadata).find((k) => k.toLowerCase() === key.toLowerCase() && metadata[k] !== '');
    return found === undefined ? undefined : metadata[found];
  };
  const props: ReturnType<typeof publishProperties> = {};
  const messageId = get('messageID');
  if (messageId) props.messageId = messageId;
  const correlationId = get('correlationID');
  if (correlationId) props.correlationId = correlationId;
  const type = get('type');
  if (type) props.type = type;
  const contentType = get('contentType');
  if (contentType) props.contentType = contentType;
  // As daprd: an integer clamped to 0–255; anything else is ignored.
  const priority = metadata.priority;
  if (priority !== undefined && /^[+-]?\d+$/.test(priority.trim())) props.priority = Math.min(255, Math.max(0, Number(priority)));
  return props;
}
