import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { PubSub } from '../../../contracts/pubsub.js';

export const jetstreamPubSub: ComponentDescriptor<PubSub> = {
  type: 'pubsub.jetstream',
  category: 'pubsub',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      natsURL: { type: 'string', description: 'NATS server URL(s), comma-separated, e.g. nats://localhost:4222.', sensitive: true },
      name: { type: 'string', default: 'dapr.io - pubsub.jetstream', description: 'Connection name shown by the server.' },
      token: { type: 'string', description: 'Token authentication.', sensitive: true },
      jwt: { type: 'string', description: 'User JWT (with seedKey).', sensitive: true },
      seedKey: { type: 'string', description: 'NKey seed signing the JWT.', sensitive: true },
      streamName: { type: 'string', description: 'One stream for every topic (created if missing, topics added to it); by default each topic gets a stream of its own.' },
      durableName: { type: 'string', description: 'Durable consumer name; by default the consumer id (app-id).' },
      queueGroupName: { type: 'string', description: 'Accepted for compatibility with daprd: consumers of one durable name already share messages.' },
      deliverPolicy: { type: 'string', enum: ['all', 'last', 'new', 'sequence', 'time'], default: 'all', description: 'Where a new durable consumer starts.' },
      startSequence: { type: 'integer', minimum: 1, description: 'With deliverPolicy sequence: the first sequence.' },
      startTime: { type: 'integer', description: 'With deliverPolicy time: Unix seconds to start from.' },
      ackWait: { type: 'string', format: 'duration', default: '30s', description: 'How long a delivered message may stay unacknowledged before the server sends it again.' },
      maxDeliver: { type: 'integer', default: -1, description: 'Deliveries of one message before the server gives up (-1: no limit).' },
      maxAckPending: { type: 'integer', minimum: 1, default: 1000, description: 'Messages delivered and not yet acknowledged, per consumer.' },
      replicas: { type: 'integer', minimum: 1, default: 1, description: 'Replicas of streams created here.' },
      memoryStorage: { type: 'boolean', default: false, description: 'Streams created here keep messages in memory instead of on disk.' },
      concurrency: { type: 'string', enum: ['single', 'parallel'], default: 'parallel', description: 'Handle a subscription’s messages one at a time, or several at once.' },
    },
    required: ['natsURL'],
  },
  load: async () => (await import('./jetstream-pubsub.js')).createJetStreamPubSub,
};
