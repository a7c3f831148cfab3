import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { componentEnvelopeSchema } from '../../src/config/component-envelope.js';
import { configurationSchema } from '../../src/config/configuration.js';
import { builtinComponents, builtinNameResolvers } from '../../src/registry/builtin.js';

// The sidecar's ajv skips meta-schema validation to start faster; this is where schemas are checked.
const metaCheck = new Ajv({ strict: true });
metaCheck.addKeyword({ keyword: 'sensitive', schemaType: 'boolean' });

function problems(schema: object): string {
  return metaCheck.validateSchema(schema) ? '' : metaCheck.errorsText(metaCheck.errors);
}

describe('JSON schemas', () => {
  it('the Component envelope and Configuration schemas are valid JSON Schema', () => {
    expect(problems(componentEnvelopeSchema)).toBe('');
    expect(problems(configurationSchema)).toBe('');
  });

  it.each([...builtinComponents, ...builtinNameResolvers].map((d) => [d.type, d] as const))('%s metadata schema is valid JSON Schema', (_type, d) => {
    expect(problems(d.metadata)).toBe('');
  });

  it('a broken schema is reported', () => {
    expect(problems({ type: 'object', properties: { a: { type: 'strng' } } })).not.toBe('');
  });
});
