import { invokeGrpc, invokeHttp, outputBinding } from './invocation-scenarios.js';
import { observabilityScenarios } from './observability-scenarios.js';
import { deliverScenario, publishGrpc, publishScenario } from './pubsub-scenarios.js';
import { routeScenario } from './route-scenarios.js';
import type { Scenario } from './scenario-kit.js';
import { stateScenario } from './state-scenarios.js';

export type { Env, Scenario, ScenarioResult } from './scenario-kit.js';

/** Every scenario, in the order the report lists them. */
export const scenarios: Scenario[] = [
  ...(['memory', 'sqlite', 'redis'] as const).flatMap((store) => [stateScenario('get', store), stateScenario('save', store)]),
  ...(['memory', 'redis', 'kafka'] as const).map(publishScenario),
  publishGrpc,
  ...(['memory', 'redis', 'kafka'] as const).map(deliverScenario),
  routeScenario,
  invokeHttp,
  invokeGrpc,
  outputBinding,
  ...observabilityScenarios,
];
