import type { Logger } from 'pino';
import type { Binding } from '../contracts/binding.js';
import { ETagError } from '../contracts/state.js';
import { BindingsApi } from '../core/bindings-api.js';
import { ContractGate } from '../core/contract-gate.js';
import { ConfigurationApi } from '../core/configuration-api.js';
import { LockApi } from '../core/lock-api.js';
import { PubSubApi } from '../core/pubsub-api.js';
import { SecretsApi } from '../core/secrets-api.js';
import { StateApi } from '../core/state-api.js';
import type { SecretScope } from '../core/secrets-api.js';
import { componentCaller } from '../resiliency/component-caller.js';
import type { Resiliency } from '../resiliency/resiliency.js';
import type { HttpAppChannel } from './app-channel.js';
import type { ComponentHost } from './component-host.js';
import { appConfigurationSink } from './configuration-callbacks.js';
import { configurationStoresOf } from './configuration-stores.js';
import type { EventChannel } from './grpc-event-channel.js';
import { lockStoresOf } from './lock-stores.js';
import { pubsubComponentsOf } from './pubsubs.js';
import { secretStoresOf } from './secret-stores.js';
import { stateStoresOf } from './state-stores.js';
import { SubscriptionManager } from './subscriptions/subscription-manager.js';
import type { Metrics } from '../observability/metrics.js';

export interface BuildingBlockDeps {
  appId: string;
  components: ComponentHost;
  resiliency: Resiliency;
  /** `spec.secrets.scopes` of the current `--config`. */
  secretScopes(): readonly SecretScope[];
  appChannel?: HttpAppChannel;
  eventChannel?: EventChannel;
  appUnavailable(): string | undefined;
  logger: Logger;
  metrics?: Metrics;
}

/** One transport-neutral core per building block, each calling its components under Resiliency policies. */
export function createBuildingBlocks(d: BuildingBlockDeps) {
  const { appId, components, resiliency, logger } = d;
  const outbound = (kind: Parameters<typeof componentCaller>[1]) => componentCaller(resiliency, kind, 'outbound');
  // ETag conflicts are answers, not faults: never retried.
  const state = new StateApi(appId, stateStoresOf(components, appId), componentCaller(resiliency, 'state', 'outbound', (err) => !(err instanceof ETagError)));
  const secrets = new SecretsApi(secretStoresOf(components), d.secretScopes, outbound('secretstores'));
  const configInbound = componentCaller(resiliency, 'configuration', 'inbound');
  const configuration = new ConfigurationApi(
    configurationStoresOf(components),
    () => d.appChannel && ((store) => appConfigurationSink(d.appChannel!, store, configInbound, logger)),
    outbound('configuration'),
  );
  // Empty until the Contract kind installs its checks.
  const contracts = new ContractGate();
  const bindings = new BindingsApi({ find: (name) => components.get<Binding>('bindings', name)?.instance }, outbound('bindings'), contracts);
  const lock = new LockApi(appId, lockStoresOf(components), outbound('lock'));
  const pubsubs = pubsubComponentsOf(components, appId);
  const pubsub = new PubSubApi(appId, pubsubs, outbound('pubsub'), contracts);
  const subscriptions = new SubscriptionManager({
    pubsubs,
    channel: d.eventChannel,
    resiliency,
    logger: logger.child({ scope: 'pubsub' }),
    appUnavailable: d.appUnavailable,
    observer: d.metrics,
    contracts,
  });
  return { state, secrets, configuration, bindings, lock, pubsub, subscriptions, contracts };
}

export type BuildingBlocks = ReturnType<typeof createBuildingBlocks>;
