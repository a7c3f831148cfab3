import type { ComponentContext } from '../../../contracts/component.js';
import type { ConfigurationHandler, ConfigurationItems, ConfigurationStore } from '../../../contracts/configuration.js';

export type InMemoryConfigurationMetadata = { items: string };

/**
 * Configuration items held by the sidecar: the embedded default store. Its items come from the
 * component's `items` metadata; `set` (used by tests and embedding code) notifies subscribers.
 */
export class InMemoryConfiguration implements ConfigurationStore<InMemoryConfigurationMetadata> {
  readonly #items = new Map<string, { value: string; version: string }>();
  readonly #subscribers = new Set<{ keys: string[]; handler: ConfigurationHandler }>();

  async init(md: InMemoryConfigurationMetadata): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(md.items);
    } catch (err) {
      throw new Error(`items: not JSON (${(err as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('items: must be a JSON object');
    for (const [k, v] of Object.entries(parsed)) {
      const item: { value?: unknown; version?: unknown } = typeof v === 'object' && v !== null ? v : { value: v };
      this.#items.set(k, { value: String(item.value ?? ''), version: String(item.version ?? '1') });
    }
  }

  async get(keys: string[]): Promise<ConfigurationItems> {
    const out: ConfigurationItems = {};
    for (const key of keys.length > 0 ? keys : [...this.#items.keys()]) {
      const item = this.#items.get(key);
      if (item) out[key] = { ...item, metadata: {} };
    }
    return out;
  }

  async subscribe(keys: string[], _md: Record<string, string>, handler: ConfigurationHandler) {
    const sub = { keys, handler };
    this.#subscribers.add(sub);
    return { close: async () => void this.#subscribers.delete(sub) };
  }

  /** Changes an item and tells the subscribers that watch it. */
  set(key: string, value: string): void {
    const version = String(Number(this.#items.get(key)?.version ?? '0') + 1);
    this.#items.set(key, { value, version });
    for (const s of this.#subscribers) if (s.keys.length === 0 || s.keys.includes(key)) s.handler({ [key]: { value, version, metadata: {} } });
  }

  async close(): Promise<void> {
    this.#subscribers.clear();
  }
}

export function createInMemoryConfiguration(_ctx: ComponentContext): InMemoryConfiguration {
  return new InMemoryConfiguration();
}
