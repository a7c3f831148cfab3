import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentDescriptor } from '../../src/contracts/component.js';
import { StateFeature, type StateStore } from '../../src/contracts/state.js';
import { inMemoryState } from '../../src/components/state/in-memory/index.js';
import { redisState } from '../../src/components/state/redis/index.js';
import { sqliteState } from '../../src/components/state/sqlite/index.js';
import { postgresqlState } from '../../src/components/state/postgresql/index.js';

/** Addresses of the servers the global setup started. */
export interface StateEnv {
  redisAddress: string;
  postgresUrl: string;
}

/** One line per state adapter: how to configure it, what it declares, where it follows its own rules. */
export interface StateAdapterCase {
  descriptor: ComponentDescriptor<StateStore>;
  /** Component metadata as a YAML author writes it (strings). */
  metadata(env: StateEnv): Record<string, string>;
  features: readonly StateFeature[];
  quirks?: {
    /** daprd's Redis accepts a write carrying an ETag for a key that does not exist (and a delete likewise). */
    etagOnMissingKeyAllowed?: boolean;
  };
}

const ALL = [StateFeature.ETag, StateFeature.Transactional, StateFeature.Ttl];

export const stateMatrix: StateAdapterCase[] = [
  { descriptor: inMemoryState, metadata: () => ({}), features: [...ALL, StateFeature.Query] },
  {
    descriptor: sqliteState,
    metadata: () => ({ connectionString: join(mkdtempSync(join(tmpdir(), 'mecha-sqlite-')), 'state.db'), cleanupInterval: '1s' }),
    features: [...ALL, StateFeature.Query],
  },
  {
    descriptor: redisState,
    metadata: ({ redisAddress }) => ({ redisHost: redisAddress }),
    features: ALL,
    quirks: { etagOnMissingKeyAllowed: true },
  },
  {
    descriptor: postgresqlState,
    // A table of its own per run, so reruns against one server never see old rows.
    metadata: ({ postgresUrl }) => ({ connectionString: postgresUrl, tableName: `state_${Date.now().toString(36)}`, cleanupInterval: '1s' }),
    features: [...ALL, StateFeature.Query],
  },
];
