/** The bounds every instance runs within (docs/workflows.md lists them). */
export const LIMITS = {
  /** State entries per instance, loops included: beyond it the execution fails with States.Runtime. */
  maxSteps: 10_000,
  /** Items one Map state may iterate. */
  maxMapItems: 10_000,
  /** Iterations a Map with MaxConcurrency 0 (no limit) runs at once. */
  unboundedMapConcurrency: 100,
  /** History events kept per instance; later ones are counted but not stored. */
  maxHistory: 20_000,
  /** History events per stored chunk. */
  historyChunk: 100,
  /** Raised events kept for an instance that waits for none of them; the oldest go first. */
  maxKeptEvents: 1_000,
  /** Operations (events, suspend, resume, terminate) waiting in an instance's inbox for the replica that runs it. */
  maxInbox: 1_000,
  /** Instances one replica runs at once; others wait in the index until it has room. */
  maxLiveInstances: 5_000,
} as const;
