import { parse } from '@marcbachmann/cel-js';
import type { RouteRule } from './subscription.js';

export type RouteResult = { path: string } | { noMatch: true };

/** Chooses the app path for an event; throws when a `match` expression fails to evaluate. */
export type Router = (event: Record<string, unknown>) => RouteResult;

/**
 * Compiles the rules once (a bad expression fails here, when the subscription is loaded). Rules run in
 * order; the first whose expression is `true` wins; an empty `match` matches anything. A result that is
 * not a boolean does not match, as in daprd.
 */
export function compileRoutes(rules: readonly RouteRule[]): Router {
  const compiled = rules.map((r, i) => {
    if (r.match.trim() === '') return { path: r.path, test: () => true };
    try {
      const evaluate = parse(r.match);
      return { path: r.path, test: (event: Record<string, unknown>) => evaluate({ event }) === true };
    } catch (err) {
      throw new Error(`rule ${i} has an invalid match expression ${JSON.stringify(r.match)}: ${firstLine(err)}`);
    }
  });
  return (event) => {
    for (const [i, rule] of compiled.entries()) {
      let matched: boolean;
      try {
        matched = rule.test(event);
      } catch (err) {
        throw new Error(`evaluating match of rule ${i} (${JSON.stringify(rules[i].match)}): ${firstLine(err)}`);
      }
      if (matched) return { path: rule.path };
    }
    return { noMatch: true };
  };
}

/** cel-js appends a source excerpt on further lines; logs and problems need the first. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
