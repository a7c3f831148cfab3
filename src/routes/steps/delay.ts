import type { RouteMessage, RouteStep, StepContext, StepDefinition } from '../step.js';
import type { CelExpression } from '../expressions.js';
import { StepConfig } from './step-config.js';
import { sleep } from './waiting.js';

/** Held in memory while the source waits unacknowledged: longer delays belong in a scheduler. */
const MAX_DELAY_SECONDS = 300;
const DEFAULT_MAX_HELD = 1000;

export const delayStep: StepDefinition = {
  key: 'delay',
  parse(config, field) {
    const c = new StepConfig();
    const m = c.mapping(config, field, ['seconds', 'expression', 'maxHeld']);
    if (!m) return { problems: c.problems };
    if ((m.seconds === undefined) === (m.expression === undefined)) c.problem(field, 'needs exactly one of seconds, expression');
    const seconds = m.seconds === undefined ? undefined : c.positiveNumber(m.seconds, `${field}.seconds`, MAX_DELAY_SECONDS);
    const expression: CelExpression | undefined = m.expression === undefined ? undefined : c.expression(m.expression, `${field}.expression`);
    const maxHeld = m.maxHeld === undefined ? DEFAULT_MAX_HELD : c.positiveInteger(m.maxHeld, `${field}.maxHeld`, 100_000);
    const secondsOf = (message: RouteMessage) => seconds ?? delaySeconds(expression!(message));
    return c.result(() => (ctx: StepContext): RouteStep => {
      let held = 0;
      return {
        async process(message) {
          const wait = secondsOf(message);
          if (held >= maxHeld!) throw new Error(`delay: ${maxHeld} messages are held already (maxHeld)`);
          held++;
          try {
            await sleep(wait * 1000, ctx.signal);
          } finally {
            held--;
          }
          return [message];
        },
      };
    });
  },
};

/** The expression's result in seconds: a number (negative counts as none), at most MAX_DELAY_SECONDS. */
function delaySeconds(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`delay: the expression must evaluate to a number of seconds, got ${typeof value}`);
  if (n > MAX_DELAY_SECONDS) throw new Error(`delay: ${n} seconds is above the limit of ${MAX_DELAY_SECONDS}`);
  return Math.max(0, n);
}
