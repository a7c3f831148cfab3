import type { LockStore } from '../contracts/lock.js';
import type { LockStores } from '../core/lock-api.js';
import type { ComponentHost } from './component-host.js';

/** The running lock components as the lock core sees them, each with its `keyPrefix`. */
export function lockStoresOf(host: ComponentHost): LockStores {
  return {
    count: () => host.list('lock').length,
    find(name) {
      const c = host.get<LockStore>('lock', name);
      return c ? { store: c.instance, keyPrefix: c.spec.runtimeMetadata.keyPrefix } : undefined;
    },
  };
}
