import type { Secret, SecretStore } from '../contracts/secretstore.js';
import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import { direct, type ComponentCall } from '../resiliency/component-caller.js';

/** One store's entry of Configuration `spec.secrets.scopes`. */
export interface SecretScope {
  storeName: string;
  defaultAccess?: 'allow' | 'deny';
  allowedSecrets?: string[];
  deniedSecrets?: string[];
}

export interface SecretStores {
  count(): number;
  find(name: string): SecretStore | undefined;
}

/** The secrets building block: lookup, scopes, daprd's errors. */
export class SecretsApi {
  constructor(
    private readonly stores: SecretStores,
    private readonly scopes: () => readonly SecretScope[] = () => [],
    private readonly call: ComponentCall = direct,
  ) {}

  /** The secret's key/value pairs; undefined (204) when the store has nothing to say. */
  async get(storeName: string, key: string, metadata: Record<string, string>): Promise<Secret | undefined> {
    const store = this.#store(storeName);
    if (!this.#allowed(storeName, key)) throw new SidecarError(Errors.SecretPermissionDenied, `access denied by policy to get "${key}" from "${storeName}"`);
    try {
      const secret = await this.call(storeName, () => store.getSecret(key, metadata));
      return secret && Object.keys(secret).length > 0 ? secret : undefined;
    } catch (err) {
      throw new SidecarError(Errors.SecretGet, `failed getting secret with key ${key} from secret store ${storeName}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Every secret the app may read; denied ones are left out silently, as daprd does. */
  async bulkGet(storeName: string, metadata: Record<string, string>): Promise<Record<string, Secret>> {
    const store = this.#store(storeName);
    let all: Record<string, Secret>;
    try {
      all = await this.call(storeName, () => store.bulkGetSecret(metadata));
    } catch (err) {
      throw new SidecarError(Errors.SecretGet, `failed getting secrets from secret store ${storeName}: ${(err as Error).message}`, { cause: err });
    }
    return Object.fromEntries(Object.entries(all).filter(([k]) => this.#allowed(storeName, k)));
  }

  #store(name: string): SecretStore {
    if (this.stores.count() === 0) throw new SidecarError(Errors.SecretStoresNotConfigured, 'secret store is not configured');
    const store = this.stores.find(name);
    if (!store) throw new SidecarError(Errors.SecretStoreNotFound, `failed finding secret store with key ${name}`);
    return store;
  }

  /** Denied names lose; a non-empty allow list admits only its names; otherwise the default access decides. */
  #allowed(storeName: string, key: string): boolean {
    const scope = this.scopes().find((s) => s.storeName === storeName);
    if (!scope) return true;
    if (scope.deniedSecrets?.includes(key)) return false;
    if (scope.allowedSecrets && scope.allowedSecrets.length > 0) return scope.allowedSecrets.includes(key);
    return scope.defaultAccess !== 'deny';
  }
}
