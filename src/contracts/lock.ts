import type { Component } from './component.js';

/** Unlock outcomes, numbered as the Dapr API numbers them. */
export const UnlockStatus = {
  Success: 0,
  LockDoesNotExist: 1,
  LockBelongsToOthers: 2,
  InternalError: 3,
} as const;
export type UnlockStatus = (typeof UnlockStatus)[keyof typeof UnlockStatus];

export interface TryLockRequest {
  /** The key as stored (prefixed by the runtime). */
  resourceId: string;
  lockOwner: string;
  expiryInSeconds: number;
}

/**
 * A distributed lock store: a lock is held by one owner until it is released by that owner or expires.
 * Neither call may release or take over a lock held by someone else.
 */
export interface LockStore<M = Record<string, unknown>> extends Component<M> {
  /** Resolves false when someone else holds the lock; never waits for it. */
  tryLock(req: TryLockRequest): Promise<boolean>;
  unlock(req: { resourceId: string; lockOwner: string }): Promise<UnlockStatus>;
}
