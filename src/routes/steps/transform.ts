import type { ValidateFunction } from 'ajv';
import { ajv, describeAjvError } from '../../config/ajv.js';
import { compileJsonata, type JsonataExpression } from '../expressions.js';
import { copyMessage, REQUIRED_ATTRIBUTES } from '../message.js';
import type { StepDefinition } from '../step.js';

const strings = { type: 'object', additionalProperties: { type: 'string' } };
const names = { type: 'array', items: { type: 'string', minLength: 1 } };
export const TRANSFORM_SCHEMA = {
  type: 'object',
  properties: { jsonata: { type: 'string', minLength: 1 }, setHeaders: strings, removeHeaders: names, setAttributes: strings, removeAttributes: names },
  additionalProperties: false,
  minProperties: 1,
};
let validate: ValidateFunction | undefined;

interface TransformConfig {
  jsonata?: string;
  setHeaders?: Record<string, string>;
  removeHeaders?: string[];
  setAttributes?: Record<string, string>;
  removeAttributes?: string[];
}

/**
 * `transform:` rewrites a message: `jsonata` replaces `data` with the expression's result over it (`$event`
 * and `$headers` bound), then headers and CloudEvent attributes are set and removed, in that order.
 */
export const transformStep: StepDefinition = {
  key: 'transform',
  parse(config, field) {
    validate ??= ajv.compile(TRANSFORM_SCHEMA);
    if (!validate(config)) return { problems: (validate.errors ?? []).map((e) => describeAjvError(e, field)) };
    const c = config as TransformConfig;
    const problems = [];
    for (const [i, name] of (c.removeAttributes ?? []).entries()) {
      if (REQUIRED_ATTRIBUTES.has(name)) problems.push({ field: `${field}.removeAttributes[${i}]`, message: `"${name}" is a required CloudEvent attribute` });
    }
    for (const name of Object.keys(c.setAttributes ?? {})) {
      if (name === 'data' || name === 'data_base64' || !/^[a-z0-9]{1,20}$/.test(name)) problems.push({ field: `${field}.setAttributes.${name}`, message: 'must be a CloudEvent attribute name (a-z, 0-9, at most 20 characters; not data)' });
    }
    let expression: JsonataExpression | undefined;
    try {
      if (c.jsonata !== undefined) expression = compileJsonata(c.jsonata);
    } catch (err) {
      problems.push({ field: `${field}.jsonata`, message: (err as Error).message });
    }
    if (problems.length > 0) return { problems };
    return {
      problems,
      create: () => ({
        async process(input) {
          const m = copyMessage(input);
          if (expression) {
            // `$event` is the incoming message's event, not the copy whose data the result becomes: a
            // result holding `$event` would otherwise contain itself.
            const data = await expression(m.event.data, input);
            delete m.event.data_base64;
            if (data === undefined) delete m.event.data;
            else m.event.data = data;
            m.event.datacontenttype = typeof data === 'string' ? 'text/plain' : 'application/json';
          }
          Object.assign(m.headers, c.setHeaders);
          for (const h of c.removeHeaders ?? []) delete m.headers[h];
          Object.assign(m.event, c.setAttributes);
          for (const a of c.removeAttributes ?? []) delete m.event[a];
          return [m];
        },
      }),
    };
  },
};
