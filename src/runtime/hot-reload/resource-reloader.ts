import type { Logger } from 'pino';
import { loadComponentSpecs, type ComponentSpec, type LoadContext } from '../../config/load-components.js';
import { formatProblem, type ResourceProblem } from '../../config/resource-problem.js';
import type { ComponentHost } from '../component-host.js';
import { resolveSecretReferences } from '../secret-references.js';
import type { ResourceStatus } from './resource-status.js';
import type { ResourceDiff, WatchedResource } from './resource-watcher.js';

export interface ReloadTargets {
  components: ComponentHost;
  load: LoadContext;
  /** How long calls in flight on a replaced or removed component may take before it closes anyway. */
  drainMs: number;
  logger: Logger;
  status: ResourceStatus;
  /** Called between a pub/sub component's swap and its old instance's close: its subscriptions start anew. */
  pubsubChanged(name: string): Promise<void>;
}

/**
 * Applies a resources diff to the running sidecar. Each resource is validated and initialised on its own:
 * one that fails keeps its previous version running, and the problem is logged and kept for the metadata API.
 */
export class ResourceReloader {
  constructor(private readonly t: ReloadTargets) {}

  async apply(diff: ResourceDiff): Promise<void> {
    this.t.status.fileProblems(diff.problems);
    for (const p of diff.problems) this.t.logger.error({ file: p.file, document: p.document, field: p.field }, `resource not reloaded, the previous version keeps running: ${formatProblem(p)}`);
    const upserts = [...diff.added, ...diff.changed.map((c) => c.after)];
    for (const r of diff.removed.filter((r) => r.kind === 'Component')) await this.#removeComponent(r.name);
    for (const r of upserts.filter((r) => r.kind === 'Component')) await this.#putComponent(r);
    const configurations = [...upserts, ...diff.removed].filter((r) => r.kind === 'Configuration');
    for (const r of configurations) this.t.logger.warn({ file: r.doc.file, name: r.name }, 'Configuration resources are read at startup only; restart the sidecar to apply this change');
  }

  async #putComponent(r: WatchedResource): Promise<void> {
    const { file } = r.doc;
    const fail = (problems: ResourceProblem[] | string) => {
      this.t.status.failed(r.kind, r.name, file, problems);
      const text = typeof problems === 'string' ? problems : problems.map(formatProblem).join('\n  ');
      this.t.logger.error({ component: r.name, file, document: r.doc.index, field: typeof problems === 'string' ? undefined : problems[0]?.field }, `component not reloaded, the previous version keeps running: ${text}`);
    };
    const loaded = loadComponentSpecs([r.doc], this.t.load);
    if (loaded.problems.length > 0) return fail(loaded.problems);
    let spec: ComponentSpec | undefined = loaded.specs[0];
    if (!spec) {
      // Now scoped to other apps or another namespace: it no longer runs here.
      this.t.status.removed(r.kind, r.name);
      return this.#removeComponent(r.name);
    }
    if (spec.pendingSecrets) {
      const resolved = await resolveSecretReferences([spec], this.t.components, this.t.load.warn);
      if (resolved.problems.length > 0) return fail(resolved.problems);
      spec = resolved.ready[0];
    }
    let swap;
    try {
      swap = await this.t.components.put(spec);
    } catch (err) {
      return fail(`${file}: document ${r.doc.index}: component "${spec.name}" (${spec.type}) failed to init: ${(err as Error).message}`);
    }
    this.t.status.loaded(r.kind, r.name, file);
    if (spec.category === 'pubsub' || swap.previous?.category === 'pubsub') await this.t.pubsubChanged(spec.name);
    await swap.retire(this.t.drainMs);
  }

  async #removeComponent(name: string): Promise<void> {
    const swap = this.t.components.remove(name);
    this.t.status.removed('Component', name);
    if (swap.previous?.category === 'pubsub') await this.t.pubsubChanged(name);
    await swap.retire(this.t.drainMs);
  }
}
