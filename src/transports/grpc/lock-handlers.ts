import type { LockApi } from '../../core/lock-api.js';
import { unary, type CallGuard, type UnaryHandler } from './handler.js';

type LockRequest = { store_name: string; resource_id: string; lock_owner: string; expiry_in_seconds: number };

/** TryLockAlpha1 and UnlockAlpha1 on the lock core. */
export function lockHandlers(lock: LockApi, guard: CallGuard): Record<string, UnaryHandler> {
  return {
    TryLockAlpha1: unary(guard, async (r: LockRequest) => ({
      success: await lock.tryLock({ storeName: r.store_name, resourceId: r.resource_id, lockOwner: r.lock_owner, expiryInSeconds: r.expiry_in_seconds }),
    })),
    UnlockAlpha1: unary(guard, async (r: LockRequest) => ({
      status: ['SUCCESS', 'LOCK_DOES_NOT_EXIST', 'LOCK_BELONGS_TO_OTHERS', 'INTERNAL_ERROR'][
        await lock.unlock({ storeName: r.store_name, resourceId: r.resource_id, lockOwner: r.lock_owner })
      ],
    })),
  };
}
