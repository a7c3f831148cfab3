import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { PubSub } from '../../../contracts/pubsub.js';

export const rabbitmqPubSub: ComponentDescriptor<PubSub> = {
  type: 'pubsub.rabbitmq',
  category: 'pubsub',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      connectionString: { type: 'string', pattern: '^amqps?://', description: 'amqp://user:password@host:5672/vhost (amqps:// for TLS); `host` is accepted as an older name.', sensitive: true },
      consumerID: { type: 'string', description: 'Queue name prefix: `<consumerID>-<topic>`; by default the app-id.' },
      durable: { type: 'boolean', default: false, description: 'Durable exchanges and queues (survive a broker restart).' },
      deletedWhenUnused: { type: 'boolean', default: true, description: 'Delete a queue when its last consumer leaves (messages published meanwhile are lost).' },
      deliveryMode: { type: 'integer', enum: [0, 1, 2], default: 0, description: '2 publishes persistent messages.' },
      requeueInFailure: { type: 'boolean', default: true, description: 'Requeue a message the app refused (false with enableDeadLetter: dead-letter it).' },
      enableDeadLetter: { type: 'boolean', default: false, description: 'Refused messages go to the queue `dlq-<queue>` through the exchange `dlx-<queue>`.' },
      prefetchCount: { type: 'integer', minimum: 0, default: 0, description: 'Unacknowledged messages per consumer (0: no limit).' },
      concurrencyMode: { type: 'string', enum: ['parallel', 'single'], default: 'parallel', description: 'Handle a queue’s messages at once or one at a time.' },
      exchangeKind: { type: 'string', enum: ['fanout', 'topic', 'direct', 'headers'], default: 'fanout', description: 'Kind of the exchange created per topic.' },
      routingKey: { type: 'string', default: '', description: 'Binding key of subscriptions and default routing key of publishes (metadata routingKey per message).' },
      maxLen: { type: 'integer', minimum: 0, description: 'Queue length limit (x-max-length).' },
      maxLenBytes: { type: 'integer', minimum: 0, description: 'Queue size limit in bytes (x-max-length-bytes).' },
      ttlInSeconds: { type: 'integer', minimum: 0, description: 'Default message TTL of publishes.' },
      reconnectWait: { type: 'string', format: 'duration', default: '3s', description: 'Longest wait between reconnection attempts.' },
      clientName: { type: 'string', description: 'Connection name shown in the management UI.' },
    },
    required: ['connectionString'],
  },
  metadataAliases: { host: 'connectionString' },
  load: async () => (await import('./rabbitmq-pubsub.js')).createRabbitMqPubSub,
};
