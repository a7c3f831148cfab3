import { createRequire } from 'node:module';
import { parse } from '@marcbachmann/cel-js';
import type jsonataFn from 'jsonata';
import { firstLine } from '../core/subscriptions/routing.js';

/** A CEL expression over `event` (the CloudEvent) and `headers`, as subscription rules evaluate it. */
export type CelExpression = (message: { event: Record<string, unknown>; headers: Record<string, string> }) => unknown;

/** Compiles CEL once, at load; throws with the parser's first line (cel-js adds an excerpt on further lines). */
export function compileCel(source: string): CelExpression {
  let evaluate;
  try {
    evaluate = parse(source);
  } catch (err) {
    throw new Error(`invalid CEL expression ${JSON.stringify(source)}: ${firstLine(err)}`);
  }
  return ({ event, headers }) => {
    try {
      return evaluate({ event, headers });
    } catch (err) {
      throw new Error(`evaluating ${JSON.stringify(source)}: ${firstLine(err)}`);
    }
  };
}

/** A compiled JSONata expression over a message's `data`, with `$event` and `$headers` bound. */
export type JsonataExpression = (data: unknown, bindings: { event: Record<string, unknown>; headers: Record<string, string> }) => Promise<unknown>;

let jsonata: typeof jsonataFn | undefined;

/**
 * Compiles JSONata once, at load. The library is required on the first Route that uses it, not at
 * startup: `load` is synchronous, so a synchronous require rather than `await import()`.
 */
export function compileJsonata(source: string): JsonataExpression {
  jsonata ??= createRequire(import.meta.url)('jsonata') as typeof jsonataFn;
  let expression: jsonataFn.Expression;
  try {
    expression = jsonata(source);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new Error(`invalid JSONata expression ${JSON.stringify(source)}: ${e.message ?? String(err)}${e.position !== undefined ? ` (at character ${e.position})` : ''}`);
  }
  return async (data, bindings) => {
    try {
      return await expression.evaluate(data, bindings);
    } catch (err) {
      throw new Error(`evaluating JSONata ${JSON.stringify(source)}: ${(err as Error).message}`);
    }
  };
}
