import { isObject } from '../paths.js';
import { escape, schemaProblems } from './schema.js';
import { forEachMachine, graphProblems } from './graph.js';
import { stateProblems } from './rules.js';

/** One problem in a definition: where (a JSON pointer, e.g. /States/Charge/Retry/0/BackoffRate) and what. */
export interface AslProblem {
  pointer: string;
  message: string;
}

/**
 * Every problem of a parsed definition at once: structure (JSON Schema), then per-state rules and
 * transitions of the top machine and of each Parallel branch and Map processor. Empty means valid.
 */
export function validateDefinition(definition: unknown): AslProblem[] {
  const problems = schemaProblems(definition);
  forEachMachine(definition, '', (machine, at) => {
    problems.push(...graphProblems(machine, at));
    if (!isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (isObject(state)) problems.push(...stateProblems(state, `${at}/States/${escape(name)}`));
    }
  });
  return dedupe(problems);
}

/** A missing field is reported once, as missing, even when several checks notice it. */
function dedupe(problems: AslProblem[]): AslProblem[] {
  const required = new Set(problems.filter((p) => p.message === 'is required').map((p) => p.pointer));
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.pointer}\n${p.message}`;
    if (seen.has(key) || (required.has(p.pointer) && p.message !== 'is required')) return false;
    seen.add(key);
    return true;
  });
}
