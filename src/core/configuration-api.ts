import { randomUUID } from 'node:crypto';
import type { ConfigurationItems, ConfigurationStore } from '../contracts/configuration.js';
import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import { direct, type ComponentCall } from '../resiliency/component-caller.js';

export interface ConfigurationStores {
  count(): number;
  find(name: string): ConfigurationStore | undefined;
}

/** Where changes of one subscription go: the app over HTTP, or a gRPC stream. */
export type ConfigurationSink = (id: string, items: ConfigurationItems) => void;

const fmtKeys = (keys: string[]) => `[${keys.join(' ')}]`;

/** The configuration building block: reads, subscriptions by id, daprd's errors. */
export class ConfigurationApi {
  readonly #subscriptions = new Map<string, { storeName: string; close(): Promise<void> }>();

  constructor(
    private readonly stores: ConfigurationStores,
    /** Tells the app about a store's changes (HTTP apps); undefined when there is no app to tell. */
    private readonly appSink: () => ((storeName: string) => ConfigurationSink) | undefined,
    private readonly call: ComponentCall = direct,
  ) {}

  async get(storeName: string, keys: string[], metadata: Record<string, string>): Promise<ConfigurationItems> {
    const store = this.#store(storeName);
    try {
      return await this.call(storeName, () => store.get(keys, metadata));
    } catch (err) {
      throw new SidecarError(Errors.ConfigurationGet, `failed to get ${fmtKeys(keys)} from Configuration store ${storeName}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Subscribes on behalf of the app: changes are delivered to it (`POST /configuration/<store>/<key>`). */
  subscribeApp(storeName: string, keys: string[], metadata: Record<string, string>): Promise<string> {
    this.#store(storeName);
    const sinkFor = this.appSink();
    if (!sinkFor) throw new SidecarError(Errors.AppChannelNil, 'app channel is not initialized. cannot subscribe to configuration updates');
    return this.subscribe(storeName, keys, metadata, sinkFor(storeName));
  }

  async subscribe(storeName: string, keys: string[], metadata: Record<string, string>, sink: ConfigurationSink): Promise<string> {
    const store = this.#store(storeName);
    const id = randomUUID();
    try {
      const handle = await this.call(storeName, () => store.subscribe(keys, metadata, (items) => sink(id, items)));
      this.#subscriptions.set(id, { storeName, close: () => handle.close() });
    } catch (err) {
      throw new SidecarError(Errors.ConfigurationSubscribe, `failed to subscribe ${fmtKeys(keys)} from Configuration store ${storeName}: ${(err as Error).message}`, { cause: err });
    }
    return id;
  }

  async unsubscribe(storeName: string, id: string): Promise<void> {
    this.#store(storeName);
    const sub = this.#subscriptions.get(id);
    if (!sub || sub.storeName !== storeName) {
      throw new SidecarError(Errors.ConfigurationUnsubscribe, `failed to unsubscribe to configuration request ${id}: subscription with id ${id} does not exist`);
    }
    this.#subscriptions.delete(id);
    await sub.close();
  }

  async close(): Promise<void> {
    const all = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    await Promise.allSettled(all.map((s) => s.close()));
  }

  #store(name: string): ConfigurationStore {
    if (this.stores.count() === 0) throw new SidecarError(Errors.ConfigurationStoreNotConfigured, 'configuration stores not configured');
    const store = this.stores.find(name);
    if (!store) throw new SidecarError(Errors.ConfigurationStoreNotFound, `configuration store ${name} not found`);
    return store;
  }
}

/** Items as daprd's JSON writes them (Go's omitempty on value, version and metadata). */
export function jsonItems(items: ConfigurationItems): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(items).map(([k, v]) => [
      k,
      { ...(v.value ? { value: v.value } : {}), ...(v.version ? { version: v.version } : {}), ...(Object.keys(v.metadata).length ? { metadata: v.metadata } : {}) },
    ]),
  );
}
