import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { ConfigurationStore } from '../../../contracts/configuration.js';

export const inMemoryConfiguration: ComponentDescriptor<ConfigurationStore> = {
  type: 'configuration.in-memory',
  category: 'configuration',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      items: { type: 'string', default: '{}', description: 'Initial items as a JSON object: {"key": "value"} or {"key": {"value": "v", "version": "1"}}.' },
    },
  },
  load: async () => (await import('./in-memory-configuration.js')).createInMemoryConfiguration,
};
