import type { ComponentContext } from '../../../contracts/component.js';
import { UnlockStatus, type LockStore, type TryLockRequest } from '../../../contracts/lock.js';

/** Locks held in the sidecar's memory: for one sidecar (tests, the embedded defaults), not shared. */
class InMemoryLock implements LockStore {
  readonly #locks = new Map<string, { owner: string; expiresAt: number }>();

  async init(): Promise<void> {}

  async tryLock(req: TryLockRequest): Promise<boolean> {
    if (this.#live(req.resourceId)) return false;
    this.#locks.set(req.resourceId, { owner: req.lockOwner, expiresAt: Date.now() + req.expiryInSeconds * 1000 });
    return true;
  }

  async unlock(req: { resourceId: string; lockOwner: string }): Promise<UnlockStatus> {
    const lock = this.#live(req.resourceId);
    if (!lock) return UnlockStatus.LockDoesNotExist;
    if (lock.owner !== req.lockOwner) return UnlockStatus.LockBelongsToOthers;
    this.#locks.delete(req.resourceId);
    return UnlockStatus.Success;
  }

  async close(): Promise<void> {
    this.#locks.clear();
  }

  #live(id: string) {
    const lock = this.#locks.get(id);
    if (lock && lock.expiresAt <= Date.now()) {
      this.#locks.delete(id);
      return undefined;
    }
    return lock;
  }
}

export function createInMemoryLock(_ctx: ComponentContext): InMemoryLock {
  return new InMemoryLock();
}
