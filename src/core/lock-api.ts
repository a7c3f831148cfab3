import type { LockStore, UnlockStatus } from '../contracts/lock.js';
import { Errors, type ErrorKind } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import { direct, type ComponentCall } from '../resiliency/component-caller.js';

export interface LockStores {
  count(): number;
  find(name: string): { store: LockStore; keyPrefix?: string } | undefined;
}

export interface TryLockApiRequest {
  storeName: string;
  resourceId: string;
  lockOwner: string;
  expiryInSeconds: number;
}

/** The distributed lock building block, with daprd's validation order and key layout. */
export class LockApi {
  constructor(
    private readonly appId: string,
    private readonly stores: LockStores,
    private readonly call: ComponentCall = direct,
  ) {}

  async tryLock(req: TryLockApiRequest): Promise<boolean> {
    if (!(req.expiryInSeconds > 0)) throw new SidecarError(Errors.MalformedRequest, `ExpiryInSeconds is not positive in lock store ${req.storeName}`);
    const { store, key } = this.#validate(req, Errors.TryLock);
    try {
      return await this.call(req.storeName, () => store.tryLock({ resourceId: key, lockOwner: req.lockOwner, expiryInSeconds: Math.floor(req.expiryInSeconds) }));
    } catch (err) {
      throw new SidecarError(Errors.TryLock, `failed to try acquiring lock: ${(err as Error).message}`, { cause: err });
    }
  }

  async unlock(req: Omit<TryLockApiRequest, 'expiryInSeconds'>): Promise<UnlockStatus> {
    const { store, key } = this.#validate(req, Errors.Unlock);
    try {
      return await this.call(req.storeName, () => store.unlock({ resourceId: key, lockOwner: req.lockOwner }));
    } catch (err) {
      throw new SidecarError(Errors.Unlock, `failed to release lock: ${(err as Error).message}`, { cause: err });
    }
  }

  #validate(req: Omit<TryLockApiRequest, 'expiryInSeconds'>, failure: ErrorKind): { store: LockStore; key: string } {
    if (this.stores.count() === 0) throw new SidecarError(Errors.LockStoreNotConfigured, 'lock store is not configured');
    if (!req.resourceId) throw new SidecarError(Errors.MalformedRequest, `ResourceId is empty in lock store ${req.storeName}`);
    if (!req.lockOwner) throw new SidecarError(Errors.MalformedRequest, `LockOwner is empty in lock store ${req.storeName}`);
    const found = this.stores.find(req.storeName);
    if (!found) throw new SidecarError(Errors.LockStoreNotFound, `lock store ${req.storeName} not found`);
    if (req.resourceId.includes('||')) throw new SidecarError(failure, `input key/keyPrefix '${req.resourceId}' can't contain '||'`);
    return { store: found.store, key: this.#key(req.resourceId, req.storeName, found.keyPrefix) };
  }

  /** `lock||<prefix>||<resourceId>`; the prefix follows `keyPrefix` as for state (appid by default). */
  #key(resourceId: string, storeName: string, strategy = 'appid'): string {
    const s = strategy.toLowerCase();
    if (s === 'none') return `lock||${resourceId}`;
    if (s === 'name') return `lock||${storeName}||${resourceId}`;
    if (s === 'appid') return this.appId ? `lock||${this.appId}||${resourceId}` : `lock||${resourceId}`;
    return `lock||${s}||${resourceId}`;
  }
}
