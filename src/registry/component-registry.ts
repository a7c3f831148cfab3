import type { ComponentDescriptor } from '../contracts/component.js';

export type Resolution =
  | { ok: true; descriptor: ComponentDescriptor; version: string }
  | { ok: false; problem: 'unknown-type' | 'unknown-version'; known: readonly string[] };

/** Adapters keyed by `spec.type` (aliases included), lowercase, as daprd's registries are. */
export class ComponentRegistry {
  readonly #byType = new Map<string, ComponentDescriptor>();

  constructor(descriptors: readonly ComponentDescriptor[]) {
    for (const d of descriptors) {
      for (const type of [d.type, ...(d.aliases ?? [])]) {
        const key = type.toLowerCase();
        if (this.#byType.has(key)) throw new Error(`component type ${type} is registered twice`);
        this.#byType.set(key, d);
      }
    }
  }

  /** Finds the adapter for `spec.type` + `spec.version` (an empty version means the default one). */
  resolve(type: string, version: string | undefined): Resolution {
    const descriptor = this.#byType.get(type.toLowerCase());
    if (!descriptor) return { ok: false, problem: 'unknown-type', known: this.types() };
    const wanted = version && version.length > 0 ? version : descriptor.versions[0];
    if (!descriptor.versions.includes(wanted)) return { ok: false, problem: 'unknown-version', known: descriptor.versions };
    return { ok: true, descriptor, version: wanted };
  }

  /** The primary type names, sorted, for error messages and docs. */
  types(): string[] {
    return [...new Set([...this.#byType.values()].map((d) => d.type))].sort();
  }
}
