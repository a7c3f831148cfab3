import type { ResourceDocument } from './resource-documents.js';
import type { ResourceProblem } from './resource-problem.js';

/** The API version of the resource kinds Mecha adds to Dapr's (Workflow, Route, Contract). */
export const MECHA_API_VERSION = 'mecha.io/v1alpha1';

/** The kinds of our own, loaded, validated, hot-reloaded and reported like Dapr's. */
export const MECHA_KINDS = new Set(['Workflow', 'Route', 'Contract']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The common part of a Mecha resource, once its envelope is valid and it is in scope for this app. */
export interface MechaResource {
  name: string;
  spec: Obj;
  doc: ResourceDocument;
  /** Where problems found in the spec are reported: `{ file, document }`; add `field`. */
  at: { file: string; document: number };
}

/**
 * Reads the envelope of every document of one kind: `apiVersion`, `metadata.name` (unique), `scopes`, `spec`.
 * Documents scoped to other apps are left out; every problem is reported, naming file, document and field.
 */
export function readMechaResources(documents: readonly ResourceDocument[], kind: string, appId: string): { resources: MechaResource[]; problems: ResourceProblem[] } {
  const resources: MechaResource[] = [];
  const problems: ResourceProblem[] = [];
  const names = new Set<string>();
  for (const doc of documents.filter((d) => d.content.kind === kind)) {
    const at = { file: doc.file, document: doc.index };
    const c = doc.content;
    const before = problems.length;
    if (c.apiVersion !== MECHA_API_VERSION) problems.push({ ...at, field: 'apiVersion', message: `must be ${MECHA_API_VERSION} for kind ${kind}, got ${JSON.stringify(c.apiVersion ?? null)}` });
    if (c.scopes !== undefined && c.scopes !== null && (!Array.isArray(c.scopes) || c.scopes.some((s) => typeof s !== 'string'))) {
      problems.push({ ...at, field: 'scopes', message: 'must be a list of app-ids' });
    }
    const scopes = Array.isArray(c.scopes) ? (c.scopes as string[]) : [];
    if (scopes.length > 0 && !scopes.includes(appId)) continue;
    const name = isObj(c.metadata) && typeof c.metadata.name === 'string' ? c.metadata.name : '';
    if (!name) problems.push({ ...at, field: 'metadata.name', message: 'is required' });
    else if (names.has(name)) problems.push({ ...at, field: 'metadata.name', message: `duplicate ${kind} name "${name}"` });
    names.add(name);
    if (!isObj(c.spec)) problems.push({ ...at, field: 'spec', message: 'is required and must be a mapping' });
    if (problems.length === before) resources.push({ name, spec: c.spec as Obj, doc, at });
  }
  return { resources, problems };
}
