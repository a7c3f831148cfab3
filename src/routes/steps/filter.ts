import { compileCel } from '../expressions.js';
import type { StepDefinition } from '../step.js';

/** `filter: "<CEL>"`: the message continues when the expression is `true` over `event` (and `headers`). */
export const filterStep: StepDefinition = {
  key: 'filter',
  parse(config, field) {
    if (typeof config !== 'string' || config.trim() === '') return { problems: [{ field, message: 'must be a CEL expression' }] };
    let test;
    try {
      test = compileCel(config);
    } catch (err) {
      return { problems: [{ field, message: (err as Error).message }] };
    }
    return { problems: [], create: () => ({ process: async (m) => (test(m) === true ? [m] : []) }) };
  },
};
