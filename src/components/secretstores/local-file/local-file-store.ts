import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ComponentContext } from '../../../contracts/component.js';
import { SecretStoreFeature, type Secret, type SecretStore } from '../../../contracts/secretstore.js';

export type LocalFileMetadata = { secretsFile: string; nestedSeparator: string; multiValued: boolean };

/**
 * Secrets from a JSON file, read once at init, shaped as daprd's local file store shapes them: nested
 * objects flattened into `a:b:c` names (or, multi-valued, top-level names holding flattened pairs).
 */
class LocalFileStore implements SecretStore<LocalFileMetadata> {
  #secrets = new Map<string, Secret>();
  #multiValued = false;

  async init(md: LocalFileMetadata): Promise<void> {
    const file = resolve(md.secretsFile);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`secretsFile ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`secretsFile ${file}: must hold a JSON object`);
    this.#multiValued = md.multiValued;
    for (const [name, value] of Object.entries(parsed)) {
      if (md.multiValued && typeof value === 'object' && value !== null) {
        this.#secrets.set(name, Object.fromEntries(flatten(value, '', md.nestedSeparator)));
      } else {
        for (const [k, v] of flatten(value, name, md.nestedSeparator)) this.#secrets.set(k, { [k]: v });
      }
    }
  }

  features() {
    return this.#multiValued ? [SecretStoreFeature.MultipleKeyValuesPerSecret] : [];
  }

  async getSecret(name: string): Promise<Secret> {
    const secret = this.#secrets.get(name);
    if (!secret) throw new Error(`secret ${name} not found`);
    return { ...secret };
  }

  async bulkGetSecret(): Promise<Record<string, Secret>> {
    return Object.fromEntries([...this.#secrets].map(([k, v]) => [k, { ...v }]));
  }

  async close(): Promise<void> {
    this.#secrets.clear();
  }
}

/** Leaves of a JSON value as `[path, text]`, paths joined by the separator (array items by index). */
function flatten(value: unknown, path: string, sep: string): Array<[string, string]> {
  if (value === null || typeof value !== 'object') return [[path, String(value)]];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => flatten(v, path ? `${path}${sep}${k}` : k, sep));
}

export function createLocalFileStore(_ctx: ComponentContext): LocalFileStore {
  return new LocalFileStore();
}
