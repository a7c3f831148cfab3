import type { Component } from './component.js';

export interface ConfigurationItem {
  value: string;
  version: string;
  metadata: Record<string, string>;
}

export type ConfigurationItems = Record<string, ConfigurationItem>;

/** Called with the items that changed; errors are the caller's to log. */
export type ConfigurationHandler = (items: ConfigurationItems) => void;

/** A read-mostly store of configuration items that can announce changes. */
export interface ConfigurationStore<M = Record<string, unknown>> extends Component<M> {
  /** The named items (all of them when `keys` is empty); missing keys are left out. */
  get(keys: string[], metadata: Record<string, string>): Promise<ConfigurationItems>;
  /** Starts watching the keys (all when empty); resolves once watching. Returns a handle to stop. */
  subscribe(keys: string[], metadata: Record<string, string>, handler: ConfigurationHandler): Promise<{ close(): Promise<void> }>;
}
