import type { ComponentDescriptor } from '../../src/contracts/component.js';
import { PubSubFeature, type PubSub } from '../../src/contracts/pubsub.js';
import { inMemoryPubSub } from '../../src/components/pubsub/in-memory/index.js';
import { redisPubSub } from '../../src/components/pubsub/redis/index.js';
import { kafkaPubSub } from '../../src/components/pubsub/kafka/index.js';
import { mqtt3PubSub } from '../../src/components/pubsub/mqtt3/index.js';
import { jetstreamPubSub } from '../../src/components/pubsub/jetstream/index.js';
import { rabbitmqPubSub } from '../../src/components/pubsub/rabbitmq/index.js';

/** Addresses of the backing servers the global setup started (absent ones skip their adapter). */
export interface PubSubEnv {
  redisAddress: string;
  /** CSV `host:port` of a Kafka broker, when one is running. */
  kafkaBrokers?: string;
  /** `tcp://host:port` of an MQTT broker, when one is running. */
  mqttUrl?: string;
  /** `nats://host:port` of a NATS server with JetStream, when one is running. */
  natsUrl?: string;
  /** `amqp://…` of a RabbitMQ node, when one is running. */
  amqpUrl?: string;
}

/** One line per pub/sub adapter: how to configure it, what it declares, what its broker guarantees. */
export interface PubSubAdapterCase {
  descriptor: ComponentDescriptor<PubSub>;
  /**
   * Component metadata as a YAML author writes it (strings). Configure one partition / concurrency 1 so
   * first deliveries keep publish order, and short redelivery timings so the suite stays fast.
   */
  metadata(env: PubSubEnv): Record<string, string>;
  features: readonly PubSubFeature[];
  /** Upper bound (ms) for a rejected message to come back; the suite waits at most a few of these. */
  redeliveryWithinMs: number;
  /** A reason to skip the adapter in this environment (e.g. its server is not running). */
  skip?(env: PubSubEnv): string | undefined;
  broker: {
    /** Separate instances share the broker: consumer groups compete, messages outlive a subscription. */
    shared: boolean;
    /** Publish metadata comes back in `PubSubMessage.metadata` (headers / stored fields). */
    carriesMetadata: boolean;
  };
  /** With SUBSCRIBE_WILDCARDS: a pattern, topics it matches, and one it does not. */
  wildcard?: { pattern: string; matching: string[]; notMatching: string };
}

export const pubsubMatrix: PubSubAdapterCase[] = [
  {
    descriptor: inMemoryPubSub,
    metadata: () => ({}),
    features: [PubSubFeature.SubscribeWildcards],
    redeliveryWithinMs: 500,
    broker: { shared: false, carriesMetadata: true },
    wildcard: { pattern: 'wild/+/x', matching: ['wild/a/x', 'wild/b/x'], notMatching: 'wild/a/y' },
  },
  {
    descriptor: redisPubSub,
    metadata: ({ redisAddress }) => ({ redisHost: redisAddress, concurrency: '1', processingTimeout: '400ms', redeliverInterval: '100ms' }),
    features: [],
    redeliveryWithinMs: 1500,
    broker: { shared: true, carriesMetadata: true },
  },
  {
    descriptor: kafkaPubSub,
    // One partition per topic (the broker's default here) keeps first deliveries in publish order.
    metadata: ({ kafkaBrokers }) => ({ brokers: kafkaBrokers ?? '', initialOffset: 'oldest', sessionTimeout: '10s', heartbeatInterval: '1s' }),
    features: [PubSubFeature.BulkPublish],
    redeliveryWithinMs: 3000,
    skip: ({ kafkaBrokers }) => (kafkaBrokers ? undefined : 'no Kafka broker'),
    broker: { shared: true, carriesMetadata: true },
  },
  {
    descriptor: mqtt3PubSub,
    // One persistent session per consumer id: not competing consumers; MQTT 3 carries no headers.
    metadata: ({ mqttUrl }) => ({ url: mqttUrl ?? '' }),
    features: [PubSubFeature.SubscribeWildcards],
    redeliveryWithinMs: 1500,
    skip: ({ mqttUrl }) => (mqttUrl ? undefined : 'no MQTT broker'),
    broker: { shared: false, carriesMetadata: false },
    wildcard: { pattern: 'mqttwild/+/x', matching: ['mqttwild/a/x', 'mqttwild/b/x'], notMatching: 'mqttwild/a/y' },
  },
  {
    descriptor: jetstreamPubSub,
    // daprd's defaults: an ephemeral consumer per subscription (consumer ids play no part; durableName and
    // queueGroupName make it durable and shared, see test/components/jetstream-*.test.ts), the payload
    // alone on the wire. No ackWait: a rejected message is NAKed for redelivery at once. The test server's
    // stream captures the suite's one-token topics.
    metadata: ({ natsUrl }) => ({ natsURL: natsUrl ?? '', concurrency: 'single' }),
    features: [],
    redeliveryWithinMs: 1000,
    skip: ({ natsUrl }) => (natsUrl ? undefined : 'no NATS server'),
    broker: { shared: false, carriesMetadata: false },
  },
  {
    descriptor: rabbitmqPubSub,
    // Durable queues that outlive their consumers: what at-least-once across restarts needs.
    metadata: ({ amqpUrl }) => ({ connectionString: amqpUrl ?? '', durable: 'true', deletedWhenUnused: 'false', concurrencyMode: 'single' }),
    features: [PubSubFeature.MessageTtl],
    redeliveryWithinMs: 1000,
    skip: ({ amqpUrl }) => (amqpUrl ? undefined : 'no RabbitMQ'),
    broker: { shared: true, carriesMetadata: true },
  },
];
