import type { ValidateFunction } from 'ajv';
import { ajv } from './ajv.js';

/** The schemas a start may check, by name. */
export type CompiledSchemaName = 'componentEnvelope' | 'configuration';

/**
 * The validator of one of the schemas a start checks. Here they are compiled on first use (tests run
 * from the sources); the bundle replaces this module with the same validators compiled at build time
 * as standalone code (scripts/config-validators.mjs), which spares each start the compilation.
 */
export function compiledValidator<T>(_name: CompiledSchemaName, schema: object): ValidateFunction<T> {
  return ajv.compile<T>(schema);
}
