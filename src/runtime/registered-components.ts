import type { StateStore } from '../contracts/state.js';
import type { PubSub } from '../contracts/pubsub.js';
import type { SecretStore } from '../contracts/secretstore.js';
import { isInputBinding, isOutputBinding, type Binding } from '../contracts/binding.js';
import type { RunningComponent } from './component-host.js';
import type { RegisteredComponent } from '../core/metadata-api.js';
import { StateApi } from '../core/state-api.js';
import type { ComponentHost } from './component-host.js';

/** The running components as the metadata API lists them, with each one's capabilities. */
export function registeredComponents(host: ComponentHost): RegisteredComponent[] {
  return host.list().map((c) => ({
    name: c.spec.name,
    type: c.spec.type,
    version: c.spec.version,
    capabilities: capabilities(c),
  }));
}

function capabilities(c: RunningComponent): string[] {
  switch (c.spec.category) {
    case 'state':
      return StateApi.capabilities(c.instance as StateStore);
    case 'pubsub':
      return [...(c.instance as PubSub).features()];
    case 'bindings': {
      const b = c.instance as Binding;
      return [...(isInputBinding(b) ? ['INPUT_BINDING'] : []), ...(isOutputBinding(b) && b.operations().length > 0 ? ['OUTPUT_BINDING'] : [])];
    }
    case 'secretstores':
      return [...(c.instance as SecretStore).features()];
    default:
      return [];
  }
}
