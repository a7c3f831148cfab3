import type { ComponentDescriptor } from '../contracts/component.js';
import { inMemoryState } from '../components/state/in-memory/index.js';
import { redisState } from '../components/state/redis/index.js';
import { sqliteState } from '../components/state/sqlite/index.js';

/** Every adapter this build ships, one line each. Descriptors are tiny: implementations load on first use. */
export const builtinComponents: readonly ComponentDescriptor[] = [
  inMemoryState,
  sqliteState,
  redisState,
];
