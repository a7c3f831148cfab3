import type { Component } from './component.js';

export const SecretStoreFeature = { MultipleKeyValuesPerSecret: 'MULTIPLE_KEY_VALUES_PER_SECRET' } as const;
export type SecretStoreFeature = (typeof SecretStoreFeature)[keyof typeof SecretStoreFeature];

/** A secret: one or more key/value pairs (single-valued stores answer `{name: value}`). */
export type Secret = Record<string, string>;

/** A read-only store of secrets. */
export interface SecretStore<M = Record<string, unknown>> extends Component<M> {
  features(): readonly SecretStoreFeature[];
  /** Throws when the secret does not exist (stores say so in their own words). */
  getSecret(name: string, metadata: Record<string, string>): Promise<Secret>;
  /** Every secret the store holds, by name. */
  bulkGetSecret(metadata: Record<string, string>): Promise<Record<string, Secret>>;
}
