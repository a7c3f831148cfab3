import { formatProblem, type ResourceProblem } from '../../config/resource-problem.js';

/** How one resource of the resources paths fares since startup, as the metadata API reports it. */
export interface ResourceState {
  kind: string;
  name: string;
  file: string;
  /** `loaded`: the file's current version runs; `failed`: it does not, and the previous version (if any) still does. */
  status: 'loaded' | 'failed';
  /** The last reload's problem, as logged (file, document, field, message). */
  lastError?: string;
  updatedAt: string;
}

/** Per-resource reload status, plus files that cannot be read or parsed at all (no resource identity). */
export class ResourceStatus {
  readonly #resources = new Map<string, ResourceState>();
  readonly #files = new Map<string, string>();

  loaded(kind: string, name: string, file: string): void {
    this.#resources.set(`${kind}/${name}`, { kind, name, file, status: 'loaded', updatedAt: new Date().toISOString() });
  }

  failed(kind: string, name: string, file: string, problems: readonly ResourceProblem[] | string): void {
    const lastError = typeof problems === 'string' ? problems : problems.map(formatProblem).join('; ');
    this.#resources.set(`${kind}/${name}`, { kind, name, file, status: 'failed', lastError, updatedAt: new Date().toISOString() });
  }

  removed(kind: string, name: string): void {
    this.#resources.delete(`${kind}/${name}`);
  }

  /** The unreadable files as of the last re-read: a file fixed since is dropped. */
  fileProblems(problems: readonly ResourceProblem[]): void {
    this.#files.clear();
    for (const p of problems) this.#files.set(p.file, [this.#files.get(p.file), formatProblem(p)].filter(Boolean).join('; '));
  }

  /** Value of the metadata API's `extended.hotReload` (extended values are strings, so JSON). */
  toJson(enabled: boolean): string {
    return JSON.stringify({
      enabled,
      resources: [...this.#resources.values()].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`)),
      fileErrors: [...this.#files].map(([file, error]) => ({ file, error })),
    });
  }
}
