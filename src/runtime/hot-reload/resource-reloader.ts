import type { Logger } from 'pino';
import { loadHttpEndpoints, type HttpEndpoint } from '../../config/http-endpoints.js';
import { loadResiliency } from '../../config/resiliency-resources.js';
import type { ResourceDocument } from '../../config/resource-documents.js';
import { loadSubscriptions } from '../../config/subscriptions.js';
import type { SubscriptionDefinition } from '../../core/subscriptions/subscription.js';
import type { ResiliencySpec } from '../../resiliency/resiliency.js';
import { loadComponentSpecs, type ComponentSpec, type LoadContext } from '../../config/load-components.js';
import { formatProblem, type ResourceProblem } from '../../config/resource-problem.js';
import type { ComponentHost } from '../component-host.js';
import type { MechaKind } from '../mecha-kinds/mecha-kind.js';
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
  /** Likewise for a binding component: the input binding delivering to the app starts anew. */
  bindingChanged(name: string): Promise<void>;
  /** Workflows, routes, contracts: each kind's set is validated and swapped like the Dapr kinds below. */
  mechaKinds: readonly MechaKind[];
  resiliency(spec: ResiliencySpec): void;
  httpEndpoints(endpoints: Map<string, HttpEndpoint>): void;
  subscriptions(definitions: SubscriptionDefinition[]): Promise<void>;
}

type SetLoader = (docs: ResourceDocument[], t: ReloadTargets) => { problems: ResourceProblem[]; apply(): Promise<void> | void };

/** The kinds read as one set (all documents together); each document is validated alone first. */
const SET_KINDS: Record<string, SetLoader> = {
  Resiliency: (docs, t) => {
    const r = loadResiliency(docs, t.load.appId);
    return { problems: r.problems, apply: () => t.resiliency(r.spec) };
  },
  HTTPEndpoint: (docs, t) => {
    const r = loadHttpEndpoints(docs, t.load.appId);
    return { problems: r.problems, apply: () => t.httpEndpoints(r.endpoints) };
  },
  Subscription: (docs, t) => {
    const r = loadSubscriptions(docs, t.load.appId);
    return { problems: r.problems, apply: () => t.subscriptions(r.subscriptions) };
  },
};

/**
 * Applies a resources diff to the running sidecar. Each resource is validated and initialised on its own:
 * one that fails keeps its previous version running, and the problem is logged and kept for the metadata API.
 */
export class ResourceReloader {
  /** The last version of each resource of a set kind that passed validation. */
  readonly #good = new Map<string, WatchedResource>();
  readonly #setKinds: Record<string, SetLoader>;

  constructor(
    private readonly t: ReloadTargets,
    initial: readonly WatchedResource[],
  ) {
    this.#setKinds = { ...SET_KINDS, ...Object.fromEntries(t.mechaKinds.map((k): [string, SetLoader] => [k.kind, (docs) => k.load(docs)])) };
    for (const r of initial) if (r.kind in this.#setKinds) this.#good.set(r.key, r);
  }

  async apply(diff: ResourceDiff): Promise<void> {
    this.t.status.fileProblems(diff.problems);
    for (const p of diff.problems) this.t.logger.error({ file: p.file, document: p.document, field: p.field }, `resource not reloaded, the previous version keeps running: ${formatProblem(p)}`);
    const upserts = [...diff.added, ...diff.changed.map((c) => c.after)];
    for (const r of diff.removed.filter((r) => r.kind === 'Component')) await this.#removeComponent(r.name);
    // Secret stores first: other components of the same change may take their metadata from them.
    const isSecretStore = (r: WatchedResource) => String((r.doc.content.spec as { type?: unknown } | undefined)?.type ?? '').startsWith('secretstores.');
    const components = upserts.filter((r) => r.kind === 'Component');
    for (const r of [...components.filter(isSecretStore), ...components.filter((r) => !isSecretStore(r))]) await this.#putComponent(r);
    for (const kind of Object.keys(this.#setKinds)) await this.#reloadSet(kind, diff.removed, upserts);
    const configurations = [...upserts, ...diff.removed].filter((r) => r.kind === 'Configuration');
    for (const r of configurations) this.t.logger.warn({ file: r.doc.file, name: r.name }, 'Configuration resources are read at startup only; restart the sidecar to apply this change');
  }

  /** Validates each new version alone (a bad one keeps the previous), then applies the kind's whole set. */
  async #reloadSet(kind: string, removed: readonly WatchedResource[], upserts: readonly WatchedResource[]): Promise<void> {
    const load = this.#setKinds[kind];
    const touched = [...removed, ...upserts].filter((r) => r.kind === kind);
    if (touched.length === 0) return;
    const applied = removed.filter((r) => r.kind === kind);
    for (const r of applied) {
      this.#good.delete(r.key);
      this.t.status.removed(r.kind, r.name);
    }
    for (const r of upserts.filter((r) => r.kind === kind)) {
      const { problems } = load([r.doc], this.t);
      if (problems.length > 0) {
        this.t.status.failed(r.kind, r.name, r.doc.file, problems);
        this.t.logger.error({ kind, name: r.name, file: r.doc.file, document: r.doc.index, field: problems[0].field }, `${kind} not reloaded, the previous version keeps running: ${problems.map(formatProblem).join('\n  ')}`);
        continue;
      }
      this.#good.set(r.key, r);
      this.t.status.loaded(r.kind, r.name, r.doc.file);
      applied.push(r);
    }
    // Every change refused: the running set stays as it is.
    if (applied.length === 0) return;
    const set = load([...this.#good.values()].filter((r) => r.kind === kind).map((r) => r.doc), this.t);
    if (set.problems.length > 0) {
      this.t.logger.error({ kind }, `${kind} resources not reloaded, they conflict: ${set.problems.map(formatProblem).join('\n  ')}`);
      return;
    }
    await set.apply();
    this.t.logger.info({ kind, names: applied.map((r) => r.name) }, `${kind} resources reloaded`);
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
    await this.#swapped(spec.name, [spec.category, swap.previous?.category]);
    await swap.retire(this.t.drainMs);
  }

  async #removeComponent(name: string): Promise<void> {
    const swap = this.t.components.remove(name);
    this.t.status.removed('Component', name);
    await this.#swapped(name, [swap.previous?.category]);
    await swap.retire(this.t.drainMs);
  }

  /** What runs on top of a pub/sub or binding component (subscriptions, input bindings, routes) moves to the current one. */
  async #swapped(name: string, categories: ReadonlyArray<string | undefined>): Promise<void> {
    if (categories.includes('pubsub')) await this.t.pubsubChanged(name);
    if (categories.includes('bindings')) await this.t.bindingChanged(name);
    for (const category of ['pubsub', 'bindings'] as const) {
      if (!categories.includes(category)) continue;
      for (const kind of this.t.mechaKinds) {
        await kind.componentChanged?.(category, name).catch((err: Error) => this.t.logger.error({ kind: kind.kind, component: name, err: err.message }, 'moving to the reloaded component failed'));
      }
    }
  }
}
