import type { StateStore } from '../contracts/state.js';
import type { PubSub } from '../contracts/pubsub.js';
import type { RegisteredComponent } from '../core/metadata-api.js';
import { StateApi } from '../core/state-api.js';
import type { ComponentHost } from './component-host.js';

/** The running components as the metadata API lists them, with each one's capabilities. */
export function registeredComponents(host: ComponentHost): RegisteredComponent[] {
  return host.list().map((c) => ({
    name: c.spec.name,
    type: c.spec.type,
    version: c.spec.version,
    capabilities: c.spec.category === 'state' ? StateApi.capabilities(c.instance as StateStore) : c.spec.category === 'pubsub' ? [...(c.instance as PubSub).features()] : [],
  }));
}
