import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { PubSub } from '../../../contracts/pubsub.js';
import { redisMetadataAliases, redisMetadataProperties, redisMetadataRequired } from '../../_shared/redis/settings.js';

export const redisPubSub: ComponentDescriptor<PubSub> = {
  type: 'pubsub.redis',
  category: 'pubsub',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      ...redisMetadataProperties,
      redeliverInterval: {
        type: 'string',
        format: 'duration',
        default: '60s',
        description: 'How often pending messages are checked for reclaim; 0 disables redelivery.',
      },
      processingTimeout: {
        type: 'string',
        format: 'duration',
        default: '15s',
        description: 'How long a message stays pending (unacknowledged) before another delivery claims it; 0 disables.',
      },
      queueDepth: { type: 'integer', minimum: 1, default: 100, description: 'Messages read ahead per subscription (XREADGROUP COUNT).' },
      concurrency: { type: 'integer', minimum: 1, default: 10, description: 'Messages handled at once per subscription; 1 keeps stream order.' },
      maxLenApprox: { type: 'integer', minimum: 1, description: 'Trim each stream to about this many entries on publish (MAXLEN ~).' },
      streamTTL: { type: 'string', format: 'duration', description: 'Trim entries older than this on publish (MINID ~).' },
    },
    required: redisMetadataRequired,
  },
  metadataAliases: redisMetadataAliases,
  load: async () => (await import('./redis-pubsub.js')).createRedisPubSub,
};
