import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { component } from '../../support/resources.js';

/** The three state stores every stateful step is tested on, as components named `mem`, `lite` and `redis`. */
export const STORES = ['mem', 'lite', 'redis'] as const;

export function storeComponents(): Record<string, string> {
  return {
    'mem.yaml': component('mem', 'state.in-memory'),
    'lite.yaml': component('lite', 'state.sqlite', { connectionString: join(tmpdir(), `mecha-steps-${process.pid}-${Date.now()}.db`) }),
    'redis.yaml': component('redis', 'state.redis', { redisHost: inject('redisAddress') }),
  };
}
