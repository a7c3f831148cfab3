import type { StateStore } from '../contracts/state.js';
import { KeyPrefixer } from '../core/state-keys.js';
import type { StateStores } from '../core/state-api.js';
import type { ComponentHost } from './component-host.js';

/** The running state components as the state core sees them, each with its key prefixing rule. */
export function stateStoresOf(host: ComponentHost, appId: string): StateStores {
  // Keyed by instance: a replaced component may come with another keyPrefix.
  const prefixers = new WeakMap<object, KeyPrefixer>();
  return {
    count: () => host.list('state').length,
    find(name) {
      const c = host.get<StateStore>('state', name);
      if (!c) return undefined;
      let keys = prefixers.get(c.instance);
      if (!keys) {
        keys = new KeyPrefixer(c.spec.runtimeMetadata.keyPrefix, name, appId);
        prefixers.set(c.instance, keys);
      }
      return { store: c.instance, keys };
    },
  };
}
