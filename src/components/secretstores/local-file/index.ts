import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { SecretStore } from '../../../contracts/secretstore.js';

export const localFileSecretStore: ComponentDescriptor<SecretStore> = {
  type: 'secretstores.local.file',
  category: 'secretstores',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      secretsFile: { type: 'string', description: 'Path of the JSON file holding the secrets (relative to the working directory).' },
      nestedSeparator: { type: 'string', default: ':', description: 'Joins the keys of nested objects into one secret name.' },
      multiValued: { type: 'boolean', default: false, description: 'Top-level keys are secrets; nested objects become their key/value pairs.' },
    },
    required: ['secretsFile'],
  },
  load: async () => (await import('./local-file-store.js')).createLocalFileStore,
};
