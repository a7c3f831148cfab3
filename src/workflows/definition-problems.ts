import { parseResource } from './tasks/resource-uri.js';

/** A problem inside an ASL document: a JSON pointer into it (e.g. `/States/Charge/Next`) and what is wrong. */
export interface DefinitionProblem {
  pointer: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every problem of a definition, reported together: its shape, and the engine's own rule that each Task
 * `Resource` names a building block it can call (invoke:, publish:, binding:, state:, event:).
 */
export function definitionProblems(definition: Obj): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  machineProblems(definition, '', problems);
  return problems;
}

function machineProblems(machine: Obj, at: string, problems: DefinitionProblem[]): void {
  if (typeof machine.StartAt !== 'string') problems.push({ pointer: `${at}/StartAt`, message: 'is required (the name of the first state)' });
  if (!isObj(machine.States)) {
    problems.push({ pointer: `${at}/States`, message: 'is required and must be a mapping of state names to states' });
    return;
  }
  if (typeof machine.StartAt === 'string' && !(machine.StartAt in machine.States)) problems.push({ pointer: `${at}/StartAt`, message: `names no state: "${machine.StartAt}"` });
  for (const [name, state] of Object.entries(machine.States)) {
    const here = `${at}/States/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!isObj(state)) continue;
    if (state.Type === 'Task') {
      const resource = typeof state.Resource === 'string' ? parseResource(state.Resource) : { problem: 'is required' };
      if ('problem' in resource) problems.push({ pointer: `${here}/Resource`, message: resource.problem });
    }
    if (Array.isArray(state.Branches)) state.Branches.forEach((b, i) => isObj(b) && machineProblems(b, `${here}/Branches/${i}`, problems));
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isObj(processor)) machineProblems(processor, `${here}/${state.ItemProcessor ? 'ItemProcessor' : 'Iterator'}`, problems);
  }
}
