import { loadComponentSpecs, type ComponentSpec, type LoadContext } from './load-components.js';
import { readResourceDocuments, type ResourceDocument } from './resource-documents.js';
import { ResourceLoadError } from './resource-problem.js';
import { MECHA_KINDS } from './mecha-resources.js';

/** Kinds Dapr defines that other parts of the sidecar read; recognised here so they are not reported. */
const OTHER_DAPR_KINDS = new Set(['Subscription', 'Configuration', 'Resiliency', 'HTTPEndpoint', 'MCPServer', 'WorkflowAccessPolicy']);

export interface LoadedResources {
  components: ComponentSpec[];
  /** Documents of the other Dapr kinds and of Mecha's own kinds, for the parts of the sidecar that own them. */
  others: ResourceDocument[];
}

/** Reads and validates every resource in the given paths; throws one ResourceLoadError listing all problems. */
export async function loadResources(dirs: readonly string[], ctx: LoadContext): Promise<LoadedResources> {
  const { documents, problems, skipped } = await readResourceDocuments(dirs);
  for (const file of skipped) ctx.warn('non-YAML file in resources path skipped', { file });
  const componentDocs: ResourceDocument[] = [];
  const others: ResourceDocument[] = [];
  for (const doc of documents) {
    const kind = doc.content.kind;
    if (kind === 'Component') componentDocs.push(doc);
    else if (typeof kind === 'string' && (OTHER_DAPR_KINDS.has(kind) || MECHA_KINDS.has(kind))) others.push(doc);
    else ctx.warn('resource of unknown kind skipped', { file: doc.file, document: doc.index, kind });
  }
  const loaded = loadComponentSpecs(componentDocs, ctx);
  const all = [...problems, ...loaded.problems];
  if (all.length > 0) throw new ResourceLoadError(all);
  return { components: loaded.specs, others };
}
