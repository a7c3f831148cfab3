import type { SubscriptionDefinition } from './subscriptions/subscription.js';

/** What the metadata API reports, independent of how a transport spells the field names. */
export interface RegisteredComponent {
  name: string;
  type: string;
  version: string;
  capabilities: string[];
}

export interface AppConnection {
  /** 0 without an app port. */
  port: number;
  protocol: string;
  channelAddress: string;
  maxConcurrency: number;
  health?: { path: string; intervalMs: number; timeoutMs: number; threshold: number };
}

export interface SidecarMetadata {
  id: string;
  runtimeVersion: string;
  enabledFeatures: string[];
  components: RegisteredComponent[];
  httpEndpoints: string[];
  resiliencies: string[];
  subscriptions: SubscriptionDefinition[];
  extended: Record<string, string>;
  appConnection: AppConnection;
}

export interface MetadataSources {
  appId: string;
  runtimeVersion: string;
  appConnection: AppConnection;
  components(): RegisteredComponent[];
  httpEndpoints?(): string[];
  resiliencies?(): string[];
  subscriptions?(): SubscriptionDefinition[];
  /** Attributes the runtime adds to `extended` (e.g. `hotReload`, the reload status of each resource). */
  extended?(): Record<string, string>;
}

/** GET and PUT of the sidecar's metadata; extended attributes are set by apps and the CLI (`appCommand`, …). */
export class MetadataApi {
  readonly #extended = new Map<string, string>();

  constructor(private readonly sources: MetadataSources) {}

  get(): SidecarMetadata {
    return {
      id: this.sources.appId,
      runtimeVersion: this.sources.runtimeVersion,
      enabledFeatures: [],
      components: this.sources.components(),
      httpEndpoints: this.sources.httpEndpoints?.() ?? [],
      resiliencies: this.sources.resiliencies?.() ?? [],
      subscriptions: this.sources.subscriptions?.() ?? [],
      // daprd always adds its version here too, for clients that read the older field.
      extended: { ...Object.fromEntries(this.#extended), ...this.sources.extended?.(), daprRuntimeVersion: this.sources.runtimeVersion },
      appConnection: this.sources.appConnection,
    };
  }

  /** An empty key is ignored, as daprd does. */
  set(key: string, value: string): void {
    if (key !== '') this.#extended.set(key, value);
  }
}
