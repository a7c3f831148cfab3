import type { SecretStore } from '../contracts/secretstore.js';
import type { SecretStores } from '../core/secrets-api.js';
import type { ComponentHost } from './component-host.js';

/** The running secret store components, as the secrets core sees them. */
export function secretStoresOf(host: ComponentHost): SecretStores {
  return {
    count: () => host.list('secretstores').length,
    find: (name) => host.get<SecretStore>('secretstores', name)?.instance,
  };
}
