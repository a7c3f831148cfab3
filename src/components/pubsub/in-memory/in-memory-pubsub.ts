import type { ComponentContext } from '../../../contracts/component.js';
import {
  PubSubFeature,
  type MessageHandler,
  type PubSub,
  type PubSubMessage,
  type PubSubSubscription,
  type PublishRequest,
  type SubscribeRequest,
} from '../../../contracts/pubsub.js';
import { parseDuration } from '../../../util/duration.js';
import { LocalSubscription } from './local-subscription.js';
import { topicMatcher } from './topic-match.js';

export type InMemoryPubSubMetadata = { redeliverInterval: string; concurrency: number };

/**
 * A process-local bus: every subscription of the topic gets every message (there is no broker to
 * share a consumer group with). A message the handler rejects is delivered again after
 * `redeliverInterval`, so the at-least-once rule of the contract holds within the process.
 */
class InMemoryPubSub implements PubSub<InMemoryPubSubMetadata> {
  readonly #subscriptions = new Set<{ matches: (topic: string) => boolean; sub: LocalSubscription }>();
  #redeliverMs = 200;
  #concurrency = 10;
  #closed = false;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: InMemoryPubSubMetadata): Promise<void> {
    const ms = parseDuration(md.redeliverInterval);
    if (ms === undefined || ms < 0) throw new Error(`redeliverInterval: "${md.redeliverInterval}" is not a duration`);
    this.#redeliverMs = ms;
    this.#concurrency = md.concurrency;
  }

  features() {
    return [PubSubFeature.SubscribeWildcards] as const;
  }

  async publish(req: PublishRequest): Promise<void> {
    if (this.#closed) throw new Error('pubsub is closed');
    for (const { matches, sub } of this.#subscriptions) {
      if (!matches(req.topic)) continue;
      const message: PubSubMessage = { topic: req.topic, data: req.data, contentType: req.contentType, metadata: { ...req.metadata } };
      sub.push(message);
    }
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription> {
    if (this.#closed) throw new Error('pubsub is closed');
    const sub = new LocalSubscription(handler, { concurrency: this.#concurrency, redeliverMs: this.#redeliverMs, logger: this.ctx.logger, topic: req.topic });
    const entry = { matches: topicMatcher(req.topic), sub };
    this.#subscriptions.add(entry);
    return {
      close: async () => {
        this.#subscriptions.delete(entry);
        await sub.close();
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#subscriptions];
    this.#subscriptions.clear();
    await Promise.all(all.map(({ sub }) => sub.close()));
  }
}

export function createInMemoryPubSub(ctx: ComponentContext): InMemoryPubSub {
  return new InMemoryPubSub(ctx);
}
