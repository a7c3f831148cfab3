import type { MetadataProperty } from '../../../contracts/component.js';
import { parseDuration } from '../../../util/duration.js';

/**
 * Producer, consumer and header metadata with daprd's names and defaults. Kept free of runtime imports
 * from kafkajs: adapter descriptors import this module, and kafkajs must load only when a Kafka
 * component is actually declared.
 */
export type KafkaTuning = {
  maxMessageBytes: number;
  producerRequiredAcks: 'all' | 'local' | 'none';
  producerRetryMax: number;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  consumerGroup?: string;
  initialOffset: 'newest' | 'oldest';
  heartbeatInterval: string;
  sessionTimeout: string;
  consumeRetryEnabled: boolean;
  consumeRetryInterval: string;
  consumerFetchMin: number;
  consumerFetchDefault: number;
  consumerGroupRebalanceStrategy: 'range' | 'roundrobin' | 'sticky';
  clientConnectionTopicMetadataRefreshInterval: string;
  escapeHeaders: boolean;
  excludeHeaderMetaRegex?: string;
};

const duration = (def: string, description: string): MetadataProperty => ({ type: 'string', format: 'duration', default: def, description });

export const kafkaTuningProperties: Record<string, MetadataProperty> = {
  maxMessageBytes: { type: 'integer', minimum: 1, default: 1048576, description: 'Largest record (value, key and headers) the producer sends.' },
  producerRequiredAcks: { type: 'string', enum: ['all', 'local', 'none'], default: 'all', description: 'Replicas that must acknowledge a write: all in-sync, the leader only, or none.' },
  producerRetryMax: { type: 'integer', minimum: 0, default: 5, description: 'Retries of a failed produce request.' },
  compression: { type: 'string', enum: ['none', 'gzip', 'snappy', 'lz4', 'zstd'], default: 'none', description: 'Record compression; this build writes none or gzip (snappy, lz4, zstd are refused at init).' },
  consumerGroup: { type: 'string', description: 'Consumer group; default the consumer ID (the app-id).' },
  initialOffset: { type: 'string', enum: ['newest', 'oldest'], default: 'newest', description: 'Where a group with no committed offset starts reading.' },
  heartbeatInterval: duration('3s', 'How often a group member tells the coordinator it is alive.'),
  sessionTimeout: duration('10s', 'How long the group waits for a silent member before moving its partitions.'),
  consumeRetryEnabled: { type: 'boolean', default: false, description: 'Accepted for daprd compatibility: a failed message is always redelivered, never skipped.' },
  consumeRetryInterval: duration('100ms', 'First wait before a failed message is read again; doubles up to 5 s while it keeps failing.'),
  consumerFetchMin: { type: 'integer', minimum: 1, default: 1, description: 'Bytes a fetch waits for before the broker answers.' },
  consumerFetchDefault: { type: 'integer', minimum: 1, default: 1048576, description: 'Bytes fetched per partition and request.' },
  channelBufferSize: { type: 'integer', minimum: 1, default: 256, description: 'Accepted for daprd compatibility; fetch sizes bound the read-ahead.' },
  consumerGroupRebalanceStrategy: {
    type: 'string',
    enum: ['range', 'roundrobin', 'sticky'],
    default: 'range',
    description: 'Partition assignment, under the protocol names daprd uses (sticky falls back to range).',
  },
  clientConnectionTopicMetadataRefreshInterval: duration('9m', 'How often topic metadata is refreshed.'),
  clientConnectionKeepAliveInterval: duration('0', 'Accepted for daprd compatibility; idle connections stay open.'),
  escapeHeaders: { type: 'boolean', default: false, description: 'URL-escape header values (and the key) handed to the app.' },
  excludeHeaderMetaRegex: { type: 'string', description: 'Metadata keys matching this regular expression are neither written as headers nor read back.' },
  schemaRegistryURL: { type: 'string', description: 'Accepted for daprd compatibility; Avro/JSON schema subscriptions are refused.' },
  schemaRegistryAPIKey: { type: 'string', description: 'Accepted for daprd compatibility.' },
  schemaRegistryAPISecret: { type: 'string', sensitive: true, description: 'Accepted for daprd compatibility.' },
  schemaCachingEnabled: { type: 'boolean', default: true, description: 'Accepted for daprd compatibility.' },
  schemaLatestVersionCacheTTL: duration('5m', 'Accepted for daprd compatibility.'),
  useAvroJSON: { type: 'boolean', default: false, description: 'Accepted for daprd compatibility.' },
};

/** Consumer settings in the units kafkajs takes. */
export interface ConsumerTuning {
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  retryDelayMs: number;
  minBytes: number;
  maxBytesPerPartition: number;
  assigner: 'range' | 'roundrobin';
  metadataMaxAgeMs: number;
}

/** Producer settings in the units kafkajs takes (`compression` is kafkajs's CompressionTypes number). */
export interface ProducerTuning {
  acks: -1 | 0 | 1;
  retries: number;
  compression: 0 | 1;
  maxMessageBytes: number;
  metadataMaxAgeMs: number;
}

export function consumerTuning(md: KafkaTuning): ConsumerTuning {
  const sessionTimeoutMs = ms('sessionTimeout', md.sessionTimeout);
  const heartbeatIntervalMs = ms('heartbeatInterval', md.heartbeatInterval);
  if (heartbeatIntervalMs >= sessionTimeoutMs) throw new Error('heartbeatInterval must be shorter than sessionTimeout');
  return {
    fromBeginning: md.initialOffset === 'oldest',
    sessionTimeoutMs,
    heartbeatIntervalMs,
    // daprd reads a bare number here as milliseconds, unlike its other durations.
    retryDelayMs: ms('consumeRetryInterval', md.consumeRetryInterval, 'ms'),
    minBytes: md.consumerFetchMin,
    maxBytesPerPartition: md.consumerFetchDefault,
    assigner: md.consumerGroupRebalanceStrategy === 'roundrobin' ? 'roundrobin' : 'range',
    metadataMaxAgeMs: ms('clientConnectionTopicMetadataRefreshInterval', md.clientConnectionTopicMetadataRefreshInterval),
  };
}

export function producerTuning(md: KafkaTuning): ProducerTuning {
  if (md.compression !== 'none' && md.compression !== 'gzip') {
    throw new Error(`compression: "${md.compression}" needs a codec this build does not include (use none or gzip)`);
  }
  return {
    acks: md.producerRequiredAcks === 'none' ? 0 : md.producerRequiredAcks === 'local' ? 1 : -1,
    retries: md.producerRetryMax,
    compression: md.compression === 'gzip' ? 1 : 0,
    maxMessageBytes: md.maxMessageBytes,
    metadataMaxAgeMs: ms('clientConnectionTopicMetadataRefreshInterval', md.clientConnectionTopicMetadataRefreshInterval),
  };
}

/** A duration field in milliseconds; a bare number is seconds, as daprd decodes durations. */
export function ms(field: string, text: string, bareUnit: 'ms' | 's' = 's'): number {
  const value = parseDuration(text, bareUnit);
  if (value === undefined || value < 0) throw new Error(`${field}: "${text}" is not a duration`);
  return value;
}
