import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { StateStore } from '../../../contracts/state.js';
import { redisMetadataAliases, redisMetadataProperties, redisMetadataRequired } from '../../_shared/redis/settings.js';

export const redisState: ComponentDescriptor<StateStore> = {
  type: 'state.redis',
  category: 'state',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      ...redisMetadataProperties,
      ttlInSeconds: { type: 'integer', description: 'TTL applied to every save that does not set its own; <= 0 means none.' },
      queryIndexes: { type: 'string', description: 'RediSearch index schemas; accepted but unused (no query API).' },
    },
    required: redisMetadataRequired,
  },
  metadataAliases: redisMetadataAliases,
  load: async () => (await import('./redis-store.js')).createRedisStore,
};
