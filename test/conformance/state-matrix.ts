import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentDescriptor } from '../../src/contracts/component.js';
import { StateFeature, type StateStore } from '../../src/contracts/state.js';
import { inMemoryState } from '../../src/components/state/in-memory/index.js';
import { redisState } from '../../src/components/state/redis/index.js';
import { sqliteState } from '../../src/components/state/sqlite/index.js';

/** One line per state adapter: how to configure it, what it declares, where it follows its own rules. */
export interface StateAdapterCase {
  descriptor: ComponentDescriptor<StateStore>;
  /** Component metadata as a YAML author writes it (strings). */
  metadata(env: { redisAddress: string }): Record<string, string>;
  features: readonly StateFeature[];
  quirks?: {
    /** daprd's Redis accepts a write carrying an ETag for a key that does not exist (and a delete likewise). */
    etagOnMissingKeyAllowed?: boolean;
  };
}

const ALL = [StateFeature.ETag, StateFeature.Transactional, StateFeature.Ttl];

export const stateMatrix: StateAdapterCase[] = [
  { descriptor: inMemoryState, metadata: () => ({}), features: ALL },
  {
    descriptor: sqliteState,
    metadata: () => ({ connectionString: join(mkdtempSync(join(tmpdir(), 'mecha-sqlite-')), 'state.db'), cleanupInterval: '1s' }),
    features: ALL,
  },
  {
    descriptor: redisState,
    metadata: ({ redisAddress }) => ({ redisHost: redisAddress }),
    features: ALL,
    quirks: { etagOnMissingKeyAllowed: true },
  },
];
