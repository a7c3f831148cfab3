import type { Kafka, Message, Producer } from 'kafkajs';
import type { ComponentContext } from '../../../contracts/component.js';
import {
  PubSubFeature,
  PubSubMetadataKey,
  type BulkPublishPubSub,
  type BulkPublishRequest,
  type BulkPublishResult,
  type MessageHandler,
  type PublishRequest,
  type PubSubSubscription,
  type SubscribeRequest,
} from '../../../contracts/pubsub.js';
import { kafkaClient } from '../../_shared/kafka/client.js';
import { GroupConsumer } from '../../_shared/kafka/group-consumer.js';
import { headerRules, recordSize, toHeaders, type HeaderRules } from '../../_shared/kafka/headers.js';
import { daprPartitioner } from '../../_shared/kafka/partitioner.js';
import type { KafkaConnection } from '../../_shared/kafka/settings.js';
import { consumerTuning, producerTuning, type ConsumerTuning, type KafkaTuning, type ProducerTuning } from '../../_shared/kafka/tuning.js';

export type KafkaPubSubMetadata = KafkaConnection & KafkaTuning;

/** Publish metadata choosing an explicit partition, as daprd names it. */
const PARTITION_NUMBER = 'partitionNumber';
/** Subscription or publish metadata asking for schema-registry (de)serialisation, which is not offered. */
const VALUE_SCHEMA_TYPE = 'valueSchemaType';

interface Runtime {
  kafka: Kafka;
  producer: Producer;
  produce: ProducerTuning;
  consume: ConsumerTuning;
  headers: HeaderRules;
  consumerGroup?: string;
}

/**
 * Apache Kafka through kafkajs, on daprd's wire conventions: the record key from `partitionKey` /
 * `__key` (hashed as daprd hashes it), `partitionNumber` for an explicit partition, every metadata entry
 * as a header and back, one consumer group per component (`consumerGroup`, else the consumer ID), and
 * offsets committed only after a handler resolved. Topics are created by the broker on first use
 * (auto-creation), as with daprd.
 */
class KafkaPubSub implements BulkPublishPubSub<KafkaPubSubMetadata> {
  #rt?: Runtime;
  readonly #groups = new Map<string, GroupConsumer>();

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: KafkaPubSubMetadata): Promise<void> {
    const produce = producerTuning(md);
    const consume = consumerTuning(md);
    const headers = headerRules(md);
    if (md.consumerGroupRebalanceStrategy === 'sticky') this.ctx.logger.warn('consumerGroupRebalanceStrategy sticky is not available; using range');
    const kafka = kafkaClient(md, this.ctx.logger);
    const producer = kafka.producer({
      createPartitioner: daprPartitioner,
      allowAutoTopicCreation: true,
      metadataMaxAge: produce.metadataMaxAgeMs,
      retry: { retries: produce.retries, initialRetryTime: 100 },
    });
    await producer.connect();
    this.#rt = { kafka, producer, produce, consume, headers, consumerGroup: md.consumerGroup };
  }

  features() {
    return [PubSubFeature.BulkPublish] as const;
  }

  async publish(req: PublishRequest): Promise<void> {
    const rt = this.#runtime();
    await this.#send(rt, req.topic, [this.#record(rt, req.data, req.metadata)]);
  }

  /** One produce call for all entries; entries refused before sending fail alone, a failed send fails them all. */
  async bulkPublish(req: BulkPublishRequest): Promise<BulkPublishResult> {
    const rt = this.#runtime();
    const failedEntries: BulkPublishResult['failedEntries'] = [];
    const records: Message[] = [];
    const sent: string[] = [];
    for (const entry of req.entries) {
      try {
        records.push(this.#record(rt, entry.data, entry.metadata));
        sent.push(entry.entryId);
      } catch (err) {
        failedEntries.push({ entryId: entry.entryId, error: (err as Error).message });
      }
    }
    if (records.length === 0) return { failedEntries };
    try {
      await this.#send(rt, req.topic, records);
    } catch (err) {
      for (const entryId of sent) failedEntries.push({ entryId, error: (err as Error).message });
    }
    return { failedEntries };
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription> {
    const rt = this.#runtime();
    refuseSchemas(req.metadata);
    const groupId = rt.consumerGroup || req.consumerId;
    let group = this.#groups.get(groupId);
    if (!group) {
      group = new GroupConsumer(rt.kafka, { groupId, ...rt.consume, headers: rt.headers }, this.ctx.logger);
      this.#groups.set(groupId, group);
    }
    await group.add(req.topic, handler);
    const g = group;
    let closed = false;
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        await g.remove(req.topic);
      },
    };
  }

  async close(): Promise<void> {
    const rt = this.#rt;
    this.#rt = undefined;
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    await Promise.allSettled(groups.map((g) => g.close()));
    await rt?.producer.disconnect().catch(() => undefined);
  }

  #runtime(): Runtime {
    if (!this.#rt) throw new Error('pubsub.kafka is not initialised or already closed');
    return this.#rt;
  }

  #record(rt: Runtime, data: Buffer, metadata: Record<string, string>): Message {
    refuseSchemas(metadata);
    const key = metadata[PubSubMetadataKey.PartitionKey] ?? metadata[PubSubMetadataKey.Key];
    const headers = toHeaders(metadata, rt.headers);
    const size = recordSize(data, key, headers);
    if (size > rt.produce.maxMessageBytes) throw new Error(`message of ${size} bytes is over maxMessageBytes (${rt.produce.maxMessageBytes})`);
    const record: Message = { key: key ?? null, value: data, headers };
    const partition = metadata[PARTITION_NUMBER];
    if (partition !== undefined) {
      if (!/^\d+$/.test(partition) || Number(partition) > 2 ** 31 - 1) throw new Error(`invalid partitionNumber metadata value ${JSON.stringify(partition)}`);
      record.partition = Number(partition);
    }
    return record;
  }

  async #send(rt: Runtime, topic: string, messages: Message[]): Promise<void> {
    await rt.producer.send({ topic, messages, acks: rt.produce.acks, compression: rt.produce.compression });
  }
}

function refuseSchemas(metadata: Record<string, string>): void {
  const type = metadata[VALUE_SCHEMA_TYPE];
  if (type && type.toLowerCase() !== 'none') throw new Error(`${VALUE_SCHEMA_TYPE} ${type} needs a schema registry, which this build does not support`);
}

export function createKafkaPubSub(ctx: ComponentContext): KafkaPubSub {
  return new KafkaPubSub(ctx);
}
