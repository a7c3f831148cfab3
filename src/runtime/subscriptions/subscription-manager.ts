import type { Logger } from 'pino';
import type { MessageHandler, PubSubSubscription } from '../../contracts/pubsub.js';
import { parseRawPayload } from '../../core/pubsub-publish-options.js';
import { compileRoutes } from '../../core/subscriptions/routing.js';
import type { SubscriptionDefinition } from '../../core/subscriptions/subscription.js';
import type { PolicyDefinition, RetryPolicy } from '../../resiliency/policies.js';
import type { Resiliency } from '../../resiliency/resiliency.js';
import { runWithPolicy } from '../../resiliency/runner.js';
import { Errors } from '../../errors/codes.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import type { ContractGate } from '../../core/contract-gate.js';
import type { EventChannel } from '../grpc-event-channel.js';
import type { RunningPubSub } from '../pubsubs.js';
import { bulkDelivery } from './bulk-delivery.js';
import { DeliveryAborted, RetriableDelivery, type DeliveryContext, type DeliveryObserver } from './delivery-context.js';
import { singleDelivery } from './event-delivery.js';

export interface SubscriptionDeps {
  pubsubs: { get(name: string): RunningPubSub | undefined };
  /** The app's event channel; undefined when the app has none (only streaming subscriptions then). */
  channel?: EventChannel;
  resiliency: Resiliency;
  logger: Logger;
  appUnavailable(): string | undefined;
  observer?: DeliveryObserver;
  /** The subscriber's contracts: events breaking them are dead-lettered or dropped, never delivered. */
  contracts?: ContractGate;
}

/**
 * Retries of a delivery when no Resiliency policy targets the component's inbound side: a few attempts
 * with exponential backoff, then the dead-letter topic or the broker's own redelivery.
 */
export const BUILT_IN_INBOUND_POLICY: PolicyDefinition = {
  name: 'built-in pub/sub delivery retry',
  retry: { policy: 'exponential', durationMs: 200, initialIntervalMs: 200, maxIntervalMs: 2000, maxRetries: 3 },
};

interface Active {
  definition: SubscriptionDefinition;
  handle: PubSubSubscription;
  flush?: () => void;
  streaming?: boolean;
}

/** Starts the app's subscriptions on their brokers, lists them for the metadata API, and stops them. */
export class SubscriptionManager {
  #active: Active[] = [];
  /** The app's subscriptions (declarative and programmatic) as last asked for, to start anew on a reload. */
  #wanted: SubscriptionDefinition[] = [];
  #closed = false;
  /** Set by the first `start`: until then the sidecar has not subscribed for the app, and a reload only updates its list. */
  #started = false;

  constructor(private readonly deps: SubscriptionDeps) {}

  /** Starts each subscription; one that cannot start is logged and skipped, the others still run. */
  async start(definitions: readonly SubscriptionDefinition[]): Promise<void> {
    const seen = new Set<string>();
    const unique = definitions.filter((d) => {
      const key = `${d.pubsubName}||${d.topic}`;
      if (!seen.has(key)) return seen.add(key);
      this.deps.logger.warn({ pubsubName: d.pubsubName, topic: d.topic, type: d.type }, 'topic already subscribed; duplicate subscription ignored');
      return false;
    });
    this.#started = true;
    this.#wanted.push(...unique);
    await this.#startAll(unique);
  }

  /**
   * A pub/sub component was added, replaced or removed: its subscriptions stop (each broker answers the
   * deliveries in flight first; unacknowledged ones are redelivered) and start anew on the current component.
   */
  async restartOn(pubsubName: string): Promise<void> {
    if (this.#closed || !this.deps.channel) return;
    const stopping = this.#active.filter((a) => !a.streaming && a.definition.pubsubName === pubsubName);
    this.#active = this.#active.filter((a) => !stopping.includes(a));
    await this.#stop(stopping);
    await this.#startAll(this.#wanted.filter((d) => d.pubsubName === pubsubName));
  }

  /**
   * The declarative Subscriptions were reloaded: a removed or changed one stops (deliveries in flight are
   * answered first) and a new or changed one starts; the others keep running undisturbed.
   */
  async replaceDeclarative(definitions: readonly SubscriptionDefinition[]): Promise<void> {
    if (this.#closed || !this.#started) return;
    const same = (a: SubscriptionDefinition, b: SubscriptionDefinition) => JSON.stringify(a) === JSON.stringify(b);
    const before = this.#wanted.filter((d) => d.type === 'DECLARATIVE');
    const gone = before.filter((d) => !definitions.some((n) => same(d, n)));
    const added = definitions.filter((n) => !before.some((d) => same(d, n)));
    this.#wanted = [...this.#wanted.filter((d) => !gone.includes(d)), ...added];
    const stopping = this.#active.filter((a) => !a.streaming && gone.includes(a.definition));
    this.#active = this.#active.filter((a) => !stopping.includes(a));
    await this.#stop(stopping);
    if (this.deps.channel) await this.#startAll(added);
  }

  async #startAll(unique: readonly SubscriptionDefinition[]): Promise<void> {
    const channel = this.deps.channel;
    if (!channel) throw new Error('subscriptions need an app channel');
    await Promise.all(
      unique.map((d) =>
        this.#startOne(d, channel, this.deps.appUnavailable).catch((err: Error) =>
          this.deps.logger.warn({ pubsubName: d.pubsubName, topic: d.topic, err: err.message }, 'subscription not started'),
        ),
      ),
    );
  }

  /**
   * A streaming subscription (SubscribeTopicEventsAlpha1): events go to `channel` instead of the app.
   * Rejects when it cannot start; resolves with the function that ends it.
   */
  async startStreaming(definition: SubscriptionDefinition, channel: EventChannel): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('subscriber is closed');
    const active = await this.#startOne(definition, channel, () => undefined);
    active.streaming = true;
    return async () => {
      this.#active = this.#active.filter((a) => a !== active);
      active.flush?.();
      await active.handle.close();
    };
  }

  list(): SubscriptionDefinition[] {
    return this.#active.map((a) => a.definition);
  }

  /** Stops fetching; each broker waits (bounded) for deliveries in flight, the rest stays unacknowledged. */
  async close(): Promise<void> {
    this.#closed = true;
    const active = this.#active;
    this.#active = [];
    await this.#stop(active);
  }

  async #stop(active: readonly Active[]): Promise<void> {
    for (const a of active) a.flush?.();
    await Promise.all(active.map((a) => a.handle.close().catch((err: Error) => this.deps.logger.warn({ topic: a.definition.topic, err: err.message }, 'closing a subscription failed'))));
  }

  async #startOne(definition: SubscriptionDefinition, channel: EventChannel, appUnavailable: () => string | undefined): Promise<Active> {
    const { pubsubName, topic } = definition;
    const log = this.deps.logger.child({ pubsubName, topic });
    const running = this.deps.pubsubs.get(pubsubName);
    if (!running) throw new SidecarError(Errors.PubSubNotFound, `pubsub ${pubsubName} is not found`, { metadata: { pubsubName, topic } });
    if (!running.acl.canSubscribe(topic)) throw new Error(`subscribing to topic ${topic} on pubsub ${pubsubName} is not allowed for the app`);
    let raw = false;
    try {
      raw = parseRawPayload(definition.metadata.rawPayload);
    } catch {
      log.warn({ rawPayload: definition.metadata.rawPayload }, 'subscription metadata rawPayload is not a boolean; treated as false');
    }
    const ctx: DeliveryContext = {
      pubsubName,
      pubsub: running.pubsub,
      subscription: definition,
      raw,
      router: compileRoutes(definition.rules),
      channel,
      logger: log,
      retry: this.#retrier(pubsubName),
      appUnavailable,
      observer: this.deps.observer,
      contracts: this.deps.contracts,
    };
    let handler: MessageHandler;
    let flush: (() => void) | undefined;
    if (definition.bulkSubscribe?.enabled) ({ handler, flush } = bulkDelivery(ctx, definition.bulkSubscribe));
    else handler = singleDelivery(ctx);
    let handle: PubSubSubscription;
    try {
      handle = await running.pubsub.subscribe({ topic, consumerId: running.consumerId, metadata: definition.metadata }, handler);
    } catch (err) {
      throw new Error(`subscribing to topic ${topic} on pubsub ${pubsubName} failed: ${(err as Error).message}`);
    }
    const active: Active = { definition, handle, flush };
    if (this.#closed) {
      await handle.close();
      throw new Error('subscriber is closed');
    }
    this.#active.push(active);
    log.info({ type: definition.type, consumerId: running.consumerId, bulk: definition.bulkSubscribe?.enabled === true }, 'subscribed');
    return active;
  }

  /** The component's inbound Resiliency policy when one is defined, else the built-in retry. */
  #retrier(pubsubName: string): DeliveryContext['retry'] {
    const { resiliency } = this.deps;
    return (fn) => {
      const policy = resiliency.componentPolicy(pubsubName, 'pubsub', 'inbound') ?? BUILT_IN_INBOUND_POLICY;
      return runWithPolicy(policy, resiliency.breaker(policy), fn, matchesStatus);
    };
  }
}

/** A retry policy with `matching.httpStatusCodes` only retries the app's answers with those codes. */
function matchesStatus(err: unknown, retry: RetryPolicy): boolean {
  if (err instanceof DeliveryAborted) return false;
  const codes = retry.httpStatusCodes;
  if (!codes || codes.size === 0 || !(err instanceof RetriableDelivery) || err.httpStatus === undefined) return true;
  return codes.has(err.httpStatus);
}
