import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { Binding } from '../../../contracts/binding.js';

export const localStorageBinding: ComponentDescriptor<Binding> = {
  type: 'bindings.localstorage',
  category: 'bindings',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: { rootPath: { type: 'string', description: 'Directory the binding may read and write; nothing outside it is reachable.' } },
    required: ['rootPath'],
  },
  load: async () => (await import('./localstorage-binding.js')).createLocalStorageBinding,
};
