import { Ajv, type CodeOptions, type ErrorObject } from 'ajv';
import { formats } from './ajv-formats.js';

/**
 * The one ajv instance: coerces the strings YAML metadata arrives as, fills defaults, reports all
 * errors. `sensitive` is our own annotation (never log or expose the value). Our schemas are checked
 * against the JSON Schema meta-schema by a test rather than at every start, and the generated code
 * is not optimised: both would cost startup time for validators that run a few times.
 */
export const ajv = newAjv();

/** An ajv instance as the sidecar's (scripts/config-validators.mjs compiles with one too, `code` added). */
export function newAjv(code: CodeOptions = {}): Ajv {
  const instance = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: true, validateSchema: false, code: { optimize: false, ...code } });
  instance.addKeyword({ keyword: 'sensitive', schemaType: 'boolean' });
  for (const [name, format] of Object.entries(formats)) instance.addFormat(name, format);
  return instance;
}

/** Turns an ajv error into `field: message` text, the field given as a dotted path under `prefix`. */
export function describeAjvError(e: ErrorObject, prefix: string): { field: string; message: string } {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
  let field = `${prefix}${path}`;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'required') field = `${field}.${(e.params as { missingProperty: string }).missingProperty}`;
  if (e.keyword === 'required') message = 'is required';
  if (e.keyword === 'enum') message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'additionalProperties') message = `has an unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'format' && e.params.format === 'regex') message = 'must be a valid regular expression';
  if (e.keyword === 'format' && e.params.format === 'duration') message = 'must be a duration such as "30s", "500ms" or a number';
  return { field: field.replace(/^\./, ''), message };
}
