import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { LockStore } from '../../../contracts/lock.js';
import { redisMetadataAliases, redisMetadataProperties, redisMetadataRequired } from '../../_shared/redis/settings.js';

/** Locks in one standalone Redis (as daprd's lock.redis: no cluster, no replicas). */
export const redisLock: ComponentDescriptor<LockStore> = {
  type: 'lock.redis',
  category: 'lock',
  versions: ['v1'],
  metadata: { type: 'object', properties: { ...redisMetadataProperties }, required: redisMetadataRequired },
  metadataAliases: redisMetadataAliases,
  load: async () => (await import('./redis-lock.js')).createRedisLock,
};
