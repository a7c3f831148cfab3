import type { Logger } from 'pino';

/** The component categories of Dapr's `spec.type` prefix. */
export type ComponentCategory =
  | 'state'
  | 'pubsub'
  | 'bindings'
  | 'secretstores'
  | 'configuration'
  | 'lock'
  | 'nameresolution'
  | 'middleware';

/**
 * JSON Schema for a component's `spec.metadata`, validated with ajv after values are coerced from the
 * strings YAML gives. `sensitive: true` marks values that must never be logged or reported.
 */
export interface MetadataSchema {
  type: 'object';
  properties: Record<string, MetadataProperty>;
  required?: string[];
}

export interface MetadataProperty {
  type: 'string' | 'integer' | 'number' | 'boolean';
  description: string;
  default?: string | number | boolean;
  enum?: ReadonlyArray<string | number>;
  minimum?: number;
  pattern?: string;
  /** `duration`: a Go duration (`"30s"`) or a plain number. */
  format?: 'duration';
  sensitive?: boolean;
}

/** What an adapter receives when it is created: its own name and a child logger bound to it. */
export interface ComponentContext {
  readonly name: string;
  readonly logger: Logger;
}

/** Everything the registry knows about one adapter before its code is loaded. */
export interface ComponentDescriptor<T = unknown> {
  /** `<category>.<name>`, e.g. `state.redis`. */
  readonly type: string;
  readonly category: ComponentCategory;
  /** Other `spec.type` values that resolve to this adapter (`state.sqlite3`). */
  readonly aliases?: readonly string[];
  /** Accepted `spec.version` values; the first is the default. */
  readonly versions: readonly string[];
  readonly metadata: MetadataSchema;
  /** Other names for metadata keys, mapped to their canonical property name. */
  readonly metadataAliases?: Readonly<Record<string, string>>;
  /** Imports the implementation on demand, so unused adapters and their client libraries never load. */
  load(): Promise<(ctx: ComponentContext) => T>;
}

/** Lifecycle every adapter shares. */
export interface Component<M = Record<string, unknown>> {
  /** Connects or opens the backend with validated, typed metadata. */
  init(metadata: M): Promise<void>;
  /** Releases the backend; safe to call more than once. */
  close(): Promise<void>;
}
