import { compileCel, type CelExpression } from '../expressions.js';
import type { StepDefinition } from '../step.js';

export type StepProblem = ReturnType<StepDefinition['parse']>['problems'][number];

/**
 * Reads a step's YAML mapping field by field, collecting every problem (each naming its dotted field)
 * instead of stopping at the first, so a route is reported whole.
 */
export class StepConfig {
  readonly problems: StepProblem[] = [];

  problem(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  /** A mapping with only the given keys; undefined (after a problem) when it is not one. */
  mapping(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.problem(field, 'must be a mapping');
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.problem(`${field}.${key}`, `is not a known field (expected one of ${keys.join(', ')})`);
    }
    return value as Record<string, unknown>;
  }

  string(value: unknown, field: string): string | undefined {
    if (typeof value === 'string' && value.trim() !== '') return value;
    this.problem(field, 'must be a non-empty string');
    return undefined;
  }

  positiveInteger(value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max) return value;
    this.problem(field, max === Number.MAX_SAFE_INTEGER ? 'must be a positive integer' : `must be a positive integer not above ${max}`);
    return undefined;
  }

  positiveNumber(value: unknown, field: string, max = Number.MAX_VALUE): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= max) return value;
    this.problem(field, max === Number.MAX_VALUE ? 'must be a positive number' : `must be a positive number not above ${max}`);
    return undefined;
  }

  oneOf<T extends string>(value: unknown, field: string, options: readonly T[]): T | undefined {
    if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T;
    this.problem(field, `must be one of ${options.join(', ')}`);
    return undefined;
  }

  /** Compiles a CEL expression over `event` and `headers`; a syntax error is a problem of the field. */
  expression(value: unknown, field: string): CelExpression | undefined {
    const source = this.string(value, field);
    if (source === undefined) return undefined;
    try {
      return compileCel(source);
    } catch (err) {
      this.problem(field, (err as Error).message);
      return undefined;
    }
  }

  /** The definition's result: a factory only when nothing was wrong. */
  result<T>(make: () => T): { problems: StepProblem[]; create?: T } {
    return this.problems.length > 0 ? { problems: this.problems } : { problems: [], create: make() };
  }
}

/** A CEL result used as a key: strings, numbers and booleans; anything else is an error of the message. */
export function keyOf(value: unknown, what: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new Error(`${what} must evaluate to a non-empty string, a number or a boolean, got ${value === '' ? 'an empty string' : typeof value}`);
}
