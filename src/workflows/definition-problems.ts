import { validateDefinition } from './asl/validate/index.js';
import { parseResource } from './tasks/resource-uri.js';

/** A problem inside an ASL document: a JSON pointer into it (e.g. `/States/Charge/Next`) and what is wrong. */
export interface DefinitionProblem {
  pointer: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every problem of a definition, reported together: the States language's rules, then the engine's own
 * that each Task `Resource` names a building block it can call (invoke:, publish:, binding:, state:, event:).
 */
export function definitionProblems(definition: Obj): DefinitionProblem[] {
  const problems: DefinitionProblem[] = validateDefinition(definition);
  const flagged = new Set(problems.map((p) => p.pointer));
  resourceProblems(definition, '', (p) => flagged.has(p.pointer) || problems.push(p));
  return problems;
}

function resourceProblems(machine: Obj, at: string, report: (p: DefinitionProblem) => unknown): void {
  if (!isObj(machine.States)) return;
  for (const [name, state] of Object.entries(machine.States)) {
    const here = `${at}/States/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!isObj(state)) continue;
    if (state.Type === 'Task') {
      const resource = typeof state.Resource === 'string' ? parseResource(state.Resource) : { problem: 'is required' };
      if ('problem' in resource) report({ pointer: `${here}/Resource`, message: resource.problem });
    }
    if (Array.isArray(state.Branches)) state.Branches.forEach((b, i) => isObj(b) && resourceProblems(b, `${here}/Branches/${i}`, report));
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isObj(processor)) resourceProblems(processor, `${here}/${state.ItemProcessor ? 'ItemProcessor' : 'Iterator'}`, report);
  }
}
