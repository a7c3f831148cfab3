import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { PubSub } from '../../../contracts/pubsub.js';
import { kafkaMetadataProperties, kafkaMetadataRequired } from '../../_shared/kafka/settings.js';
import { kafkaTuningProperties } from '../../_shared/kafka/tuning.js';

/** Apache Kafka pub/sub with daprd's metadata; kafkajs loads only when a component of this type is declared. */
export const kafkaPubSub: ComponentDescriptor<PubSub> = {
  type: 'pubsub.kafka',
  category: 'pubsub',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: { ...kafkaMetadataProperties, ...kafkaTuningProperties },
    required: kafkaMetadataRequired,
  },
  load: async () => (await import('./kafka-pubsub.js')).createKafkaPubSub,
};
