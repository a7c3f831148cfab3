import type { StepDefinition } from '../step.js';
import { aggregate } from './aggregate.js';
import { choiceStep } from './choice.js';
import { delay } from './delay.js';
import { enrich } from './enrich.js';
import { idempotentConsumer } from './idempotent-consumer.js';
import { throttle } from './throttle.js';
import { filterStep } from './filter.js';
import { splitStep } from './split.js';
import { transformStep } from './transform.js';
import { wireTapStep } from './wire-tap.js';

/** Every step a Route may use, by its key in `spec.steps[i]`. */
export const stepDefinitions: readonly StepDefinition[] = [
  filterStep,
  transformStep,
  splitStep,
  choiceStep,
  wireTapStep,
  // Stateful steps (aggregate, idempotentConsumer, enrich, throttle, delay) are listed below this line.
  aggregate,
  idempotentConsumer,
  enrich,
  throttle,
  delay,
];
