import type { StepDefinition } from '../step.js';
import { aggregateStep } from './aggregate.js';
import { choiceStep } from './choice.js';
import { delayStep } from './delay.js';
import { enrichStep } from './enrich.js';
import { filterStep } from './filter.js';
import { idempotentConsumerStep } from './idempotent-consumer.js';
import { splitStep } from './split.js';
import { throttleStep } from './throttle.js';
import { transformStep } from './transform.js';
import { wireTapStep } from './wire-tap.js';

/** Every step a Route may use, by its key in `spec.steps[i]`. */
export const stepDefinitions: readonly StepDefinition[] = [
  filterStep,
  transformStep,
  splitStep,
  choiceStep,
  wireTapStep,
  aggregateStep,
  idempotentConsumerStep,
  enrichStep,
  throttleStep,
  delayStep,
];
