import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { PubSub } from '../../../contracts/pubsub.js';

export const inMemoryPubSub: ComponentDescriptor<PubSub> = {
  type: 'pubsub.in-memory',
  category: 'pubsub',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      redeliverInterval: {
        type: 'string',
        format: 'duration',
        default: '200ms',
        description: 'Delay before a message the subscriber failed is delivered again.',
      },
      concurrency: { type: 'integer', minimum: 1, default: 10, description: 'Messages handled at once per subscription.' },
    },
  },
  load: async () => (await import('./in-memory-pubsub.js')).createInMemoryPubSub,
};
