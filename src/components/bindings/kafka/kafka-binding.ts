import type { Admin, Kafka, Producer } from 'kafkajs';
import type { BindingEventHandler, BindingRequest, BindingResponse, InputBinding, OutputBinding } from '../../../contracts/binding.js';
import type { ComponentContext } from '../../../contracts/component.js';
import { kafkaClient } from '../../_shared/kafka/client.js';
import { GroupConsumer } from '../../_shared/kafka/group-consumer.js';
import type { KafkaMetadata } from '../../_shared/kafka/settings.js';

export type KafkaBindingMetadata = KafkaMetadata & { topics?: string; publishTopic?: string; consumerGroup: string; initialOffset: 'newest' | 'oldest' };

/**
 * Kafka as a binding: output `create` writes `data` to `publishTopic` (request metadata `key` /
 * `partitionKey` picks the partition, other metadata travels as headers); input reads `topics` with
 * offsets committed only after the app accepted each record.
 */
class KafkaBinding implements OutputBinding, InputBinding {
  #kafka?: Kafka;
  #producer?: Producer;
  #admin?: Admin;
  #md?: KafkaBindingMetadata;
  #group?: GroupConsumer;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: KafkaBindingMetadata): Promise<void> {
    if (!md.topics && !md.publishTopic) throw new Error('set topics (input), publishTopic (output) or both');
    this.#md = md;
    this.#kafka = kafkaClient(md, this.ctx.logger);
    this.#admin = this.#kafka.admin();
    await this.#admin.connect();
    if (md.publishTopic) {
      this.#producer = this.#kafka.producer({ allowAutoTopicCreation: true });
      await this.#producer.connect();
    }
  }

  operations() {
    return this.#md?.publishTopic ? ['create'] : [];
  }

  async invoke(req: BindingRequest): Promise<BindingResponse> {
    const topic = this.#md!.publishTopic!;
    await this.#ensure([topic]);
    const { key, partitionKey, ...headers } = req.metadata;
    await this.#producer!.send({ topic, messages: [{ key: key ?? partitionKey ?? null, value: req.data, headers }] });
    return {};
  }

  async read(handler: BindingEventHandler) {
    const topics = (this.#md!.topics ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    if (topics.length === 0) return { close: async () => {} };
    await this.#ensure(topics);
    this.#group = new GroupConsumer(
      this.#kafka!,
      { groupId: this.#md!.consumerGroup, fromBeginning: this.#md!.initialOffset === 'oldest', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 },
      this.ctx.logger,
    );
    for (const topic of topics) await this.#group.add(topic, async (m) => void (await handler({ data: m.data, metadata: { ...m.metadata, topic } })));
    return { close: () => this.#group!.close() };
  }

  async close(): Promise<void> {
    await this.#group?.close().catch(() => undefined);
    await this.#producer?.disconnect().catch(() => undefined);
    await this.#admin?.disconnect().catch(() => undefined);
  }

  async #ensure(topics: string[]): Promise<void> {
    await this.#admin!.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true });
  }
}

export function createKafkaBinding(ctx: ComponentContext): KafkaBinding {
  return new KafkaBinding(ctx);
}
