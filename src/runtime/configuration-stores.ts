import type { ConfigurationStore } from '../contracts/configuration.js';
import type { ConfigurationStores } from '../core/configuration-api.js';
import type { ComponentHost } from './component-host.js';

/** The running configuration components, as the configuration core sees them. */
export function configurationStoresOf(host: ComponentHost): ConfigurationStores {
  return {
    count: () => host.list('configuration').length,
    find: (name) => host.get<ConfigurationStore>('configuration', name)?.instance,
  };
}
