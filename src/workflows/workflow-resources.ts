import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readMechaResources } from '../config/mecha-resources.js';
import type { ResourceDocument } from '../config/resource-documents.js';
import type { ResourceProblem } from '../config/resource-problem.js';
import type { StateMachine } from './asl/types.js';
import { definitionProblems } from './definition-problems.js';

/** One declared workflow, validated: what the engine starts new instances from. */
export interface WorkflowDefinition {
  name: string;
  /** The ASL document. */
  definition: StateMachine;
  /** Canonical JSON of the definition, persisted with its instances so they keep running on it. */
  text: string;
  /** sha256 of `text`: instances name the definition they started with by it. */
  hash: string;
  /** The state store where instances persist; undefined: the engine's embedded SQLite store. */
  stateStore?: string;
  /** Where it was declared: `{ file, document }`. */
  at: { file: string; document: number };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads every `Workflow` document: the envelope, the definition (inline or from `definitionFile`), its
 * validity as ASL and the state store it names. Every problem is reported, none thrown.
 */
export function readWorkflows(docs: readonly ResourceDocument[], appId: string): { workflows: WorkflowDefinition[]; problems: ResourceProblem[] } {
  const { resources, problems } = readMechaResources(docs, 'Workflow', appId);
  const workflows: WorkflowDefinition[] = [];
  for (const r of resources) {
    const before = problems.length;
    const { spec, at } = r;
    let definition: unknown;
    let where = 'spec.definition';
    if (spec.definition !== undefined && spec.definitionFile !== undefined) {
      problems.push({ ...at, field: 'spec', message: 'give either definition or definitionFile, not both' });
    } else if (typeof spec.definition === 'string') {
      // The document as text (a YAML block scalar holding JSON, as Step Functions definitions are written).
      try {
        definition = parseYaml(spec.definition) as unknown;
      } catch (err) {
        problems.push({ ...at, field: where, message: `is not JSON or YAML: ${(err as Error).message.split('\n')[0]}` });
      }
    } else if (spec.definition !== undefined) {
      definition = spec.definition;
    } else if (typeof spec.definitionFile === 'string' && spec.definitionFile) {
      where = 'spec.definitionFile';
      const path = resolve(dirname(r.doc.file), spec.definitionFile);
      try {
        definition = parseYaml(readFileSync(path, 'utf8')) as unknown;
      } catch (err) {
        problems.push({ ...at, field: where, message: `cannot read ${path}: ${(err as Error).message.split('\n')[0]}` });
      }
    } else {
      problems.push({ ...at, field: 'spec.definition', message: 'is required (an ASL document), or give spec.definitionFile' });
    }
    // Whether the component exists is checked when the set is applied: components are not among these documents.
    if (spec.stateStore !== undefined && (typeof spec.stateStore !== 'string' || spec.stateStore === '')) {
      problems.push({ ...at, field: 'spec.stateStore', message: 'must be the name of a state store component' });
    }
    if (definition !== undefined) {
      if (!isObj(definition)) problems.push({ ...at, field: where, message: 'must be a mapping (an ASL document)' });
      else for (const p of definitionProblems(definition)) problems.push({ ...at, field: `${where}${p.pointer}`, message: p.message });
    }
    if (problems.length > before) continue;
    const text = JSON.stringify(definition);
    workflows.push({
      name: r.name,
      definition: definition as unknown as StateMachine,
      text,
      hash: createHash('sha256').update(text).digest('hex'),
      stateStore: spec.stateStore as string | undefined,
      at,
    });
  }
  return { workflows, problems };
}
