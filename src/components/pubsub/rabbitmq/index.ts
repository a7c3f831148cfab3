import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { PubSub } from '../../../contracts/pubsub.js';

/** daprd's pubsub.rabbitmq metadata, names and defaults as its code has them (`durable` defaults to true there). */
export const rabbitmqPubSub: ComponentDescriptor<PubSub> = {
  type: 'pubsub.rabbitmq',
  category: 'pubsub',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      connectionString: { type: 'string', pattern: '^amqps?://', description: 'amqp://user:password@host:5672/vhost (amqps:// for TLS); `host` is its older name. Or use protocol, hostname, username, password.', sensitive: true },
      protocol: { type: 'string', enum: ['amqp', 'amqps'], description: 'Without connectionString: amqp or amqps (TLS).' },
      hostname: { type: 'string', default: 'localhost', description: 'Without connectionString: host[:port] of the broker.' },
      username: { type: 'string', description: 'Without connectionString: user name.' },
      password: { type: 'string', description: 'Without connectionString: password.', sensitive: true },
      consumerID: { type: 'string', description: 'Queue name prefix: `<consumerID>-<topic>`; by default the app-id.' },
      durable: { type: 'boolean', default: true, description: 'Durable exchanges and queues (survive a broker restart).' },
      deletedWhenUnused: { type: 'boolean', default: true, description: 'Auto-delete queues (and exchanges) when their last consumer (binding) goes; messages published meanwhile are lost.' },
      autoAck: { type: 'boolean', default: false, description: 'Let the broker consider messages acknowledged on delivery (at most once: refused messages are lost).' },
      requeueInFailure: { type: 'boolean', default: false, description: 'With enableDeadLetter: requeue refused messages instead of dead-lettering them. Without it they are always requeued.' },
      enableDeadLetter: { type: 'boolean', default: false, description: 'Refused messages go to the queue `dlq-<queue>` through the exchange `dlx-<queue>`.' },
      deliveryMode: { type: 'integer', enum: [0, 1, 2], default: 0, description: '2 publishes persistent messages.' },
      prefetchCount: { type: 'integer', minimum: 0, default: 0, description: 'Unacknowledged messages per consumer (0: no limit; 1 with concurrencyMode single).' },
      concurrencyMode: { type: 'string', enum: ['parallel', 'single'], default: 'parallel', description: 'Handle a queue’s messages at once or one at a time (`concurrency` is accepted too).' },
      exchangeKind: { type: 'string', enum: ['fanout', 'topic', 'direct', 'headers'], default: 'fanout', description: 'Kind of the exchange created per topic.' },
      maxLen: { type: 'integer', minimum: 0, description: 'Length limit (x-max-length) of queues and dead-letter queues.' },
      maxLenBytes: { type: 'integer', minimum: 0, description: 'Size limit in bytes (x-max-length-bytes) of queues and dead-letter queues.' },
      ttlInSeconds: { type: 'integer', minimum: 0, description: 'Default expiration of published messages, in seconds.' },
      reconnectWaitSeconds: { type: 'string', format: 'duration', default: '3s', description: 'Longest wait between reconnection attempts (a bare number is seconds).' },
      heartBeat: { type: 'string', format: 'duration', default: '10s', description: 'AMQP heartbeat (a bare number is seconds).' },
      publisherConfirm: { type: 'boolean', default: false, description: 'Accepted for daprd compatibility: publishes always wait for the broker’s confirmation.' },
      clientName: { type: 'string', description: 'Connection name shown in the management UI.' },
      caCert: { type: 'string', description: 'amqps: PEM CA certificate to verify the broker.' },
      clientCert: { type: 'string', description: 'amqps: PEM client certificate (with clientKey).' },
      clientKey: { type: 'string', description: 'amqps: PEM client key.', sensitive: true },
      saslExternal: { type: 'boolean', default: false, description: 'amqps: authenticate with the client certificate (needs caCert, clientCert, clientKey).' },
      publishMessagePropertiesToMetadata: { type: 'boolean', default: false, description: 'Also deliver message properties and headers as daprd’s `metadata.*` keys.' },
    },
  },
  metadataAliases: { host: 'connectionString', concurrency: 'concurrencyMode' },
  load: async () => (await import('./rabbitmq-pubsub.js')).createRabbitMqPubSub,
};
