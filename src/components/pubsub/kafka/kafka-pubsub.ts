import type { Admin, Kafka, Producer } from 'kafkajs';
import type { ComponentContext } from '../../../contracts/component.js';
import { PubSubMetadataKey, type MessageHandler, type PubSub, type PublishRequest, type SubscribeRequest } from '../../../contracts/pubsub.js';
import { parseDuration } from '../../../util/duration.js';
import { kafkaClient } from '../../_shared/kafka/client.js';
import type { KafkaMetadata } from '../../_shared/kafka/settings.js';
import { GroupConsumer } from '../../_shared/kafka/group-consumer.js';

export type KafkaPubSubMetadata = KafkaMetadata & {
  consumerGroup?: string;
  initialOffset: 'newest' | 'oldest';
  sessionTimeout: string;
  heartbeatInterval: string;
};

/** Metadata that steers publishing rather than travelling as headers. */
const NOT_HEADERS = new Set<string>([PubSubMetadataKey.PartitionKey, PubSubMetadataKey.Key]);

/**
 * Apache Kafka through kafkajs: the partition key from `partitionKey` / `__key`, metadata as headers
 * (and back), one consumer group per component, offsets committed only after the app's final answer.
 */
class KafkaPubSub implements PubSub<KafkaPubSubMetadata> {
  #kafka?: Kafka;
  #producer?: Producer;
  #md?: KafkaPubSubMetadata;
  #admin?: Admin;
  readonly #topics = new Map<string, Promise<void>>();
  readonly #groups = new Map<string, GroupConsumer>();

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: KafkaPubSubMetadata): Promise<void> {
    this.#md = md;
    this.#kafka = kafkaClient(md, this.ctx.logger);
    this.#producer = this.#kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 5, initialRetryTime: 100 } });
    await this.#producer.connect();
    this.#admin = this.#kafka.admin();
    await this.#admin.connect();
  }

  features() {
    return [] as const;
  }

  async publish(req: PublishRequest): Promise<void> {
    if (req.data.length > this.#md!.maxMessageBytes) throw new Error(`message of ${req.data.length} bytes is over maxMessageBytes (${this.#md!.maxMessageBytes})`);
    const key = req.metadata[PubSubMetadataKey.PartitionKey] ?? req.metadata[PubSubMetadataKey.Key];
    const headers = Object.fromEntries(Object.entries(req.metadata).filter(([k]) => !NOT_HEADERS.has(k)));
    await this.#ensureTopic(req.topic);
    await this.#producer!.send({ topic: req.topic, messages: [{ key: key ?? null, value: req.data, headers }] });
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler) {
    const md = this.#md!;
    const groupId = md.consumerGroup || req.consumerId;
    let group = this.#groups.get(groupId);
    if (!group) {
      group = new GroupConsumer(
        this.#kafka!,
        {
          groupId,
          fromBeginning: md.initialOffset === 'oldest',
          sessionTimeoutMs: parseDuration(md.sessionTimeout) ?? 30_000,
          heartbeatIntervalMs: parseDuration(md.heartbeatInterval) ?? 3000,
        },
        this.ctx.logger,
      );
      this.#groups.set(groupId, group);
    }
    await this.#ensureTopic(req.topic);
    await group.add(req.topic, handler);
    const g = group;
    return { close: () => g.remove(req.topic) };
  }

  async close(): Promise<void> {
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    await Promise.allSettled(groups.map((g) => g.close()));
    await this.#producer?.disconnect().catch(() => undefined);
    await this.#admin?.disconnect().catch(() => undefined);
    this.#producer = undefined;
    this.#admin = undefined;
  }

  /**
   * Creates a topic before first use and waits for its leader: relying on the broker's auto-creation
   * makes the first metadata request fail while the topic is being made.
   */
  #ensureTopic(topic: string): Promise<void> {
    let ready = this.#topics.get(topic);
    if (!ready) {
      ready = this.#admin!.createTopics({ topics: [{ topic }], waitForLeaders: true }).then(
        () => undefined,
        (err: Error) => {
          this.#topics.delete(topic);
          throw err;
        },
      );
      this.#topics.set(topic, ready);
    }
    return ready;
  }
}

export function createKafkaPubSub(ctx: ComponentContext): KafkaPubSub {
  return new KafkaPubSub(ctx);
}
