import { watch, type FSWatcher } from 'node:fs';
import { readResourceDocuments, type ResourceDocument } from '../../config/resource-documents.js';
import type { ResourceProblem } from '../../config/resource-problem.js';

/** A resource as the watcher tells one from another: `kind/name`, and its content for comparison. */
export interface WatchedResource {
  key: string;
  kind: string;
  name: string;
  doc: ResourceDocument;
  /** The document as JSON: two versions differ when their JSON does. */
  content: string;
}

export interface ResourceDiff {
  added: WatchedResource[];
  changed: Array<{ before: WatchedResource; after: WatchedResource }>;
  removed: WatchedResource[];
  /** Problems of the files as read now (YAML syntax, unreadable paths); their resources are left as they were. */
  problems: ResourceProblem[];
}

export interface Snapshot {
  resources: Map<string, WatchedResource>;
  /** Files whose text cannot be parsed now: what they held before is kept, neither changed nor removed. */
  brokenFiles: Set<string>;
  problems: ResourceProblem[];
}

/**
 * Reads the resources paths into resources keyed by kind and name. The first of a duplicate wins, as at
 * startup; the others are problems, named like the startup ones (their files still parse, so nothing of
 * them is kept from before).
 */
export async function snapshotResources(dirs: readonly string[]): Promise<Snapshot> {
  const { documents, problems } = await readResourceDocuments(dirs);
  const brokenFiles = new Set(problems.map((p) => p.file));
  const resources = new Map<string, WatchedResource>();
  for (const doc of documents) {
    const kind = typeof doc.content.kind === 'string' ? doc.content.kind : '';
    const meta = doc.content.metadata as { name?: unknown } | undefined;
    const name = typeof meta?.name === 'string' ? meta.name : `${doc.file}#${doc.index}`;
    const key = `${kind}/${name}`;
    const first = resources.get(key);
    if (!first) resources.set(key, { key, kind, name, doc, content: JSON.stringify(doc.content) });
    else {
      const message = `duplicate ${kind} name "${name}" (first defined in ${first.doc.file}, document ${first.doc.index}); not applied`;
      problems.push({ file: doc.file, document: doc.index, field: 'metadata.name', message });
    }
  }
  return { resources, brokenFiles, problems };
}

/** What changed from one snapshot to the next, by identity (kind + name) and content. */
export function diffSnapshots(before: Snapshot, after: Snapshot): ResourceDiff {
  const diff: ResourceDiff = { added: [], changed: [], removed: [], problems: after.problems };
  for (const [key, now] of after.resources) {
    const old = before.resources.get(key);
    if (!old) diff.added.push(now);
    else if (old.content !== now.content) diff.changed.push({ before: old, after: now });
  }
  for (const [key, old] of before.resources) {
    // A resource whose file does not parse now keeps running: a bad edit changes nothing.
    if (!after.resources.has(key) && !after.brokenFiles.has(old.doc.file)) diff.removed.push(old);
  }
  return diff;
}

/** Carries resources of files that fail to parse over into the snapshot, so the next diff compares with them. */
export function keepBroken(before: Snapshot, after: Snapshot): Snapshot {
  if (after.brokenFiles.size === 0) return after;
  const resources = new Map(after.resources);
  for (const [key, old] of before.resources) if (after.brokenFiles.has(old.doc.file) && !resources.has(key)) resources.set(key, old);
  return { ...after, resources };
}

export interface WatcherOptions {
  dirs: readonly string[];
  /** Quiet time after the last file event before the folders are read again. */
  debounceMs?: number;
  onDiff(diff: ResourceDiff): Promise<void>;
  onError(err: Error): void;
}

/**
 * Watches the resources folders (not their files: editors write a temp file and rename it over, and a
 * Kubernetes ConfigMap swaps its `..data` link), re-reads them once a burst of events settles, and hands
 * each difference to `onDiff`, one at a time.
 */
export class ResourceWatcher {
  #snapshot: Snapshot;
  readonly #watchers: FSWatcher[] = [];
  #timer?: NodeJS.Timeout;
  #running: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(
    private readonly options: WatcherOptions,
    initial: Snapshot,
  ) {
    this.#snapshot = initial;
  }

  static async start(options: WatcherOptions): Promise<ResourceWatcher> {
    const watcher = new ResourceWatcher(options, await snapshotResources(options.dirs));
    for (const dir of options.dirs) {
      const w = watch(dir, { persistent: false }, () => watcher.#schedule());
      w.on('error', (err) => options.onError(err));
      watcher.#watchers.push(w);
    }
    return watcher;
  }

  /** The resources as last read (a file that no longer parses keeps its previous resources). */
  get resources(): WatchedResource[] {
    return [...this.#snapshot.resources.values()];
  }

  /** Resolves once every scheduled re-read has been applied. */
  async settled(): Promise<void> {
    while (this.#timer) await new Promise((r) => setTimeout(r, 20));
    await this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#watchers) w.close();
    await this.#running;
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#running.then(() => this.#rescan()).catch((err: Error) => this.options.onError(err));
    }, this.options.debounceMs ?? 250);
  }

  async #rescan(): Promise<void> {
    if (this.#closed) return;
    const next = await snapshotResources(this.options.dirs);
    const diff = diffSnapshots(this.#snapshot, next);
    this.#snapshot = keepBroken(this.#snapshot, next);
    if (diff.added.length + diff.changed.length + diff.removed.length + diff.problems.length > 0) await this.options.onDiff(diff);
  }
}
