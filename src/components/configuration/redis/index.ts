import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { ConfigurationStore } from '../../../contracts/configuration.js';
import { redisMetadataAliases, redisMetadataProperties, redisMetadataRequired } from '../../_shared/redis/settings.js';

/** Items are Redis strings `value||version`; changes arrive as keyspace notifications. */
export const redisConfiguration: ComponentDescriptor<ConfigurationStore> = {
  type: 'configuration.redis',
  category: 'configuration',
  versions: ['v1'],
  metadata: { type: 'object', properties: { ...redisMetadataProperties }, required: redisMetadataRequired },
  metadataAliases: redisMetadataAliases,
  load: async () => (await import('./redis-configuration.js')).createRedisConfiguration,
};
