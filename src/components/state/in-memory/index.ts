import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { StateStore } from '../../../contracts/state.js';

export const inMemoryState: ComponentDescriptor<StateStore> = {
  type: 'state.in-memory',
  category: 'state',
  versions: ['v1'],
  metadata: { type: 'object', properties: {} },
  load: async () => (await import('./in-memory-store.js')).createInMemoryStore,
};
