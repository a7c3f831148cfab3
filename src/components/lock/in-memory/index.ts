import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { LockStore } from '../../../contracts/lock.js';

export const inMemoryLock: ComponentDescriptor<LockStore> = {
  type: 'lock.in-memory',
  category: 'lock',
  versions: ['v1'],
  metadata: { type: 'object', properties: {} },
  load: async () => (await import('./in-memory-lock.js')).createInMemoryLock,
};
