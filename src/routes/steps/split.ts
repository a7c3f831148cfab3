import { compileJsonata } from '../expressions.js';
import { copyMessage } from '../message.js';
import type { StepDefinition } from '../step.js';

/**
 * `split: "<JSONata>"`: the expression over `data` gives an array; each element becomes a message of its
 * own, with the element as `data`, the id `<id>-<index>` (stable across redeliveries) and the headers
 * `splitIndex` and `splitSize`. A single value is one message; no value, none.
 */
export const splitStep: StepDefinition = {
  key: 'split',
  parse(config, field) {
    if (typeof config !== 'string' || config.trim() === '') return { problems: [{ field, message: 'must be a JSONata expression' }] };
    let expression;
    try {
      expression = compileJsonata(config);
    } catch (err) {
      return { problems: [{ field, message: (err as Error).message }] };
    }
    return {
      problems: [],
      create: () => ({
        async process(input) {
          const result = await expression(input.event.data, input);
          if (result === undefined) return [];
          const parts: unknown[] = Array.isArray(result) ? [...result] : [result];
          return parts.map((data, i) => {
            const m = copyMessage(input);
            m.event.id = `${String(input.event.id)}-${i}`;
            m.event.data = data;
            delete m.event.data_base64;
            m.event.datacontenttype = typeof data === 'string' ? 'text/plain' : 'application/json';
            m.headers.splitIndex = String(i);
            m.headers.splitSize = String(parts.length);
            return m;
          });
        },
      }),
    };
  },
};
