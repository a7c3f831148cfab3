/** A problem inside an ASL document: a JSON pointer into it (e.g. `/States/Charge/Next`) and what is wrong. */
export interface DefinitionProblem {
  pointer: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every problem of a definition, reported together. */
export function definitionProblems(definition: Obj): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  if (typeof definition.StartAt !== 'string') problems.push({ pointer: '/StartAt', message: 'is required (the name of the first state)' });
  if (!isObj(definition.States)) problems.push({ pointer: '/States', message: 'is required and must be a mapping of state names to states' });
  else if (typeof definition.StartAt === 'string' && !(definition.StartAt in definition.States)) {
    problems.push({ pointer: '/StartAt', message: `names no state: "${definition.StartAt}"` });
  }
  return problems;
}
