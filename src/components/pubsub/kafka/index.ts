import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { PubSub } from '../../../contracts/pubsub.js';
import { kafkaMetadataProperties, kafkaMetadataRequired } from '../../_shared/kafka/settings.js';

export const kafkaPubSub: ComponentDescriptor<PubSub> = {
  type: 'pubsub.kafka',
  category: 'pubsub',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      ...kafkaMetadataProperties,
      consumerGroup: { type: 'string', description: 'Consumer group; default the consumer ID (the app-id).' },
      initialOffset: { type: 'string', enum: ['newest', 'oldest'], default: 'newest', description: 'Where a new consumer group starts reading.' },
      sessionTimeout: { type: 'string', format: 'duration', default: '30s', description: 'How long the group waits for a silent member before rebalancing.' },
      heartbeatInterval: { type: 'string', format: 'duration', default: '3s', description: 'How often members tell the group they are alive.' },
    },
    required: kafkaMetadataRequired,
  },
  load: async () => (await import('./kafka-pubsub.js')).createKafkaPubSub,
};
