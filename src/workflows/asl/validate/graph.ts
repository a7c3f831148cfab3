import { isObject } from '../paths.js';
import { escape } from './schema.js';
import type { AslProblem } from './index.js';

/**
 * The transitions of one state machine (spec: "Transitions", "Terminal States"): StartAt and every
 * Next, Default and Catch Next must name a state of the same machine; each state must be reachable
 * from StartAt; states that continue need exactly one of Next and End. Parallel branches and Map
 * processors are machines of their own: `forEachMachine` finds them so each gets the same checks.
 */
export function graphProblems(machine: Record<string, unknown>, at: string): AslProblem[] {
  const problems: AslProblem[] = [];
  const states = isObject(machine.States) ? machine.States : {};
  const names = new Set(Object.keys(states));
  const edges = new Map<string, string[]>();

  const target = (name: unknown, pointer: string, from?: string): void => {
    if (typeof name !== 'string') return;
    if (!names.has(name)) problems.push({ pointer, message: `names no state of this machine: "${name}"` });
    else if (from !== undefined) edges.get(from)?.push(name);
  };

  target(machine.StartAt, `${at}/StartAt`);
  for (const [name, state] of Object.entries(states)) {
    edges.set(name, []);
    if (!isObject(state)) continue;
    const sp = `${at}/States/${escape(name)}`;
    target(state.Next, `${sp}/Next`, name);
    if (state.Type === 'Choice') {
      target(state.Default, `${sp}/Default`, name);
      if (Array.isArray(state.Choices)) state.Choices.forEach((rule, i) => isObject(rule) && target(rule.Next, `${sp}/Choices/${i}/Next`, name));
    }
    if (Array.isArray(state.Catch)) state.Catch.forEach((c, i) => isObject(c) && target(c.Next, `${sp}/Catch/${i}/Next`, name));
    problems.push(...terminationProblems(state, sp));
  }

  if (typeof machine.StartAt === 'string' && names.has(machine.StartAt)) {
    const reached = new Set<string>([machine.StartAt]);
    const queue = [machine.StartAt];
    while (queue.length > 0) {
      for (const next of edges.get(queue.shift() as string) ?? []) {
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    for (const name of names) {
      if (!reached.has(name)) problems.push({ pointer: `${at}/States/${escape(name)}`, message: `cannot be reached from StartAt "${machine.StartAt}"` });
    }
  }
  return problems;
}

const CONTINUING = new Set(['Task', 'Pass', 'Wait', 'Parallel', 'Map']);

function terminationProblems(state: Record<string, unknown>, pointer: string): AslProblem[] {
  if (!CONTINUING.has(state.Type as string)) return [];
  const hasNext = state.Next !== undefined;
  const ends = state.End === true;
  if (hasNext && ends) return [{ pointer, message: 'has both Next and End: a state either continues or ends' }];
  if (!hasNext && !ends) return [{ pointer, message: `needs Next or "End": true (a ${String(state.Type)} state is not terminal by itself)` }];
  return [];
}

/** Calls `visit` for the machine and, depth first, every nested machine, with its JSON pointer. */
export function forEachMachine(machine: unknown, at: string, visit: (m: Record<string, unknown>, at: string) => void): void {
  if (!isObject(machine)) return;
  visit(machine, at);
  if (!isObject(machine.States)) return;
  for (const [name, state] of Object.entries(machine.States)) {
    if (!isObject(state)) continue;
    const sp = `${at}/States/${escape(name)}`;
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) state.Branches.forEach((b, i) => forEachMachine(b, `${sp}/Branches/${i}`, visit));
    if (state.Type === 'Map') {
      if (state.ItemProcessor !== undefined) forEachMachine(state.ItemProcessor, `${sp}/ItemProcessor`, visit);
      if (state.Iterator !== undefined) forEachMachine(state.Iterator, `${sp}/Iterator`, visit);
    }
  }
}
