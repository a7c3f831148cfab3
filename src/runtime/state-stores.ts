import type { StateStore } from '../contracts/state.js';
import { KeyPrefixer } from '../core/state-keys.js';
import type { StateStores } from '../core/state-api.js';
import type { ComponentHost } from './component-host.js';

/** The running state components as the state core sees them, each with its key prefixing rule. */
export function stateStoresOf(host: ComponentHost, appId: string): StateStores {
  const prefixers = new Map<string, KeyPrefixer>();
  return {
    count: () => host.list('state').length,
    find(name) {
      const c = host.get<StateStore>('state', name);
      if (!c) return undefined;
      let keys = prefixers.get(name);
      if (!keys) {
        keys = new KeyPrefixer(c.spec.runtimeMetadata.keyPrefix, name, appId);
        prefixers.set(name, keys);
      }
      return { store: c.instance, keys };
    },
  };
}
