import type { PubSub } from '../contracts/pubsub.js';
import type { PubSubComponents } from '../core/pubsub-api.js';
import { TopicAcl } from '../core/pubsub-topic-acl.js';
import type { ComponentHost } from './component-host.js';

export interface RunningPubSub {
  name: string;
  pubsub: PubSub;
  acl: TopicAcl;
  /** Consumer group of this app on the broker (see `consumerIdOf`). */
  consumerId: string;
}

/** The running pub/sub components as the core and the subscriptions see them, each with its topic ACL. */
export function pubsubComponentsOf(host: ComponentHost, appId: string): PubSubComponents & { get(name: string): RunningPubSub | undefined } {
  const cache = new Map<string, RunningPubSub>();
  const get = (name: string): RunningPubSub | undefined => {
    const c = host.get<PubSub>('pubsub', name);
    if (!c) return undefined;
    let found = cache.get(name);
    if (!found || found.pubsub !== c.instance) {
      found = { name, pubsub: c.instance, acl: new TopicAcl(c.spec.runtimeMetadata, appId), consumerId: consumerIdOf(c.spec.runtimeMetadata, appId, name) };
      cache.set(name, found);
    }
    return found;
  };
  return { count: () => host.list('pubsub').length, find: get, get };
}

/**
 * daprd's rule: the component's `consumerID` metadata (trimmed), else the app-id. Without an app-id the
 * component name keeps the group stable across restarts, so unacknowledged messages are still reclaimed.
 */
export function consumerIdOf(runtimeMetadata: Record<string, string>, appId: string, componentName: string): string {
  return runtimeMetadata.consumerID?.trim() || appId || componentName;
}
