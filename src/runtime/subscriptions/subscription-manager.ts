import type { Logger } from 'pino';
import type { MessageHandler, PubSubSubscription } from '../../contracts/pubsub.js';
import { parseRawPayload } from '../../core/pubsub-publish-options.js';
import { compileRoutes } from '../../core/subscriptions/routing.js';
import type { SubscriptionDefinition } from '../../core/subscriptions/subscription.js';
import type { PolicyDefinition, RetryPolicy } from '../../resiliency/policies.js';
import type { Resiliency } from '../../resiliency/resiliency.js';
import { runWithPolicy } from '../../resiliency/runner.js';
import type { EventChannel } from '../grpc-event-channel.js';
import type { RunningPubSub } from '../pubsubs.js';
import { bulkDelivery } from './bulk-delivery.js';
import { RetriableDelivery, type DeliveryContext } from './delivery-context.js';
import { singleDelivery } from './event-delivery.js';

export interface SubscriptionDeps {
  pubsubs: { get(name: string): RunningPubSub | undefined };
  channel: EventChannel;
  resiliency: Resiliency;
  logger: Logger;
  appUnavailable(): string | undefined;
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
}

/** Starts the app's subscriptions on their brokers, lists them for the metadata API, and stops them. */
export class SubscriptionManager {
  #active: Active[] = [];
  #closed = false;

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
    await Promise.all(unique.map((d) => this.#startOne(d)));
  }

  list(): SubscriptionDefinition[] {
    return this.#active.map((a) => a.definition);
  }

  /** Stops fetching; each broker waits (bounded) for deliveries in flight, the rest stays unacknowledged. */
  async close(): Promise<void> {
    this.#closed = true;
    const active = this.#active;
    this.#active = [];
    for (const a of active) a.flush?.();
    await Promise.all(active.map((a) => a.handle.close().catch((err: Error) => this.deps.logger.warn({ topic: a.definition.topic, err: err.message }, 'closing a subscription failed'))));
  }

  async #startOne(definition: SubscriptionDefinition): Promise<void> {
    const { pubsubName, topic } = definition;
    const log = this.deps.logger.child({ pubsubName, topic });
    const running = this.deps.pubsubs.get(pubsubName);
    if (!running) return log.warn('subscription to a pub/sub component that is not loaded; skipped');
    if (!running.acl.canSubscribe(topic)) return log.warn('subscribing to this topic is not allowed for the app; skipped');
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
      channel: this.deps.channel,
      logger: log,
      retry: this.#retrier(pubsubName),
      appUnavailable: this.deps.appUnavailable,
    };
    let handler: MessageHandler;
    let flush: (() => void) | undefined;
    if (definition.bulkSubscribe?.enabled) ({ handler, flush } = bulkDelivery(ctx, definition.bulkSubscribe));
    else handler = singleDelivery(ctx);
    try {
      const handle = await running.pubsub.subscribe({ topic, consumerId: running.consumerId, metadata: definition.metadata }, handler);
      if (this.#closed) return void (await handle.close());
      this.#active.push({ definition, handle, flush });
      log.info({ type: definition.type, consumerId: running.consumerId, bulk: definition.bulkSubscribe?.enabled === true }, 'subscribed');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'subscribing failed');
    }
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
  const codes = retry.httpStatusCodes;
  if (!codes || codes.size === 0 || !(err instanceof RetriableDelivery) || err.httpStatus === undefined) return true;
  return codes.has(err.httpStatus);
}
