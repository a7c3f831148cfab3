import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { SecretStore } from '../../../contracts/secretstore.js';

export const localEnvSecretStore: ComponentDescriptor<SecretStore> = {
  type: 'secretstores.local.env',
  category: 'secretstores',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      prefix: { type: 'string', default: '', description: 'Only variables starting with it are secrets; names are given without it.' },
    },
  },
  load: async () => (await import('./local-env-store.js')).createLocalEnvStore,
};
