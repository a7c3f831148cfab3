import { inject } from 'vitest';
import { stateMatrix } from './state-matrix.js';
import { describeStateConformance } from './state-suite.js';

for (const adapter of stateMatrix) describeStateConformance(adapter, () => ({ redisAddress: inject('redisAddress'), postgresUrl: inject('postgresUrl') }));
