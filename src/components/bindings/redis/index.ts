import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { Binding } from '../../../contracts/binding.js';
import { redisMetadataAliases, redisMetadataProperties, redisMetadataRequired } from '../../_shared/redis/settings.js';

export const redisBinding: ComponentDescriptor<Binding> = {
  type: 'bindings.redis',
  category: 'bindings',
  versions: ['v1'],
  metadata: { type: 'object', properties: { ...redisMetadataProperties }, required: redisMetadataRequired },
  metadataAliases: redisMetadataAliases,
  load: async () => (await import('./redis-binding.js')).createRedisBinding,
};
