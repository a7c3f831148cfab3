import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { Binding } from '../../../contracts/binding.js';
import { kafkaMetadataProperties, kafkaMetadataRequired } from '../../_shared/kafka/settings.js';

export const kafkaBinding: ComponentDescriptor<Binding> = {
  type: 'bindings.kafka',
  category: 'bindings',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      ...kafkaMetadataProperties,
      topics: { type: 'string', description: 'Input: comma-separated topics to read.' },
      publishTopic: { type: 'string', description: 'Output: the topic `create` writes to.' },
      consumerGroup: { type: 'string', default: 'mecha', description: 'Input: the consumer group.' },
      initialOffset: { type: 'string', enum: ['newest', 'oldest'], default: 'newest', description: 'Where a new consumer group starts reading.' },
    },
    required: kafkaMetadataRequired,
  },
  load: async () => (await import('./kafka-binding.js')).createKafkaBinding,
};
