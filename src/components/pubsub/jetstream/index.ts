import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { PubSub } from '../../../contracts/pubsub.js';

/**
 * daprd's pubsub.jetstream metadata: names, defaults and meanings as its code reads them. Durations take a
 * Go duration or a bare number of seconds, as daprd decodes them.
 */
export const jetstreamPubSub: ComponentDescriptor<PubSub> = {
  type: 'pubsub.jetstream',
  category: 'pubsub',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      natsURL: { type: 'string', description: 'NATS server URL(s), comma-separated, e.g. nats://localhost:4222.', sensitive: true },
      name: { type: 'string', default: 'dapr.io - pubsub.jetstream', description: 'Connection name shown by the server.' },
      jwt: { type: 'string', description: 'User JWT for decentralized authentication (with seedKey).', sensitive: true },
      seedKey: { type: 'string', description: 'NKey seed that signs the server’s nonce (with jwt).', sensitive: true },
      tls_client_cert: { type: 'string', description: 'Path of a PEM client certificate for TLS client authentication (with tls_client_key).' },
      tls_client_key: { type: 'string', description: 'Path of the PEM key of tls_client_cert.' },
      token: { type: 'string', description: 'Token authentication (used when neither jwt nor a client certificate is given).', sensitive: true },
      streamName: { type: 'string', description: 'Stream the consumers are created on; by default the stream whose subjects capture the topic. Streams are never created here.' },
      durableName: { type: 'string', description: 'Durable consumer name (e.g. "{appID}"); without it each subscription is an ephemeral consumer that the server drops when the sidecar goes.' },
      queueGroupName: { type: 'string', description: 'Deliver group: sidecars sharing one durableName and queue group share its messages (competing consumers).' },
      deliverPolicy: { type: 'string', enum: ['all', 'last', 'new', 'sequence', 'time'], default: 'all', description: 'Where a new consumer starts: all, last, new, sequence (startSequence) or time (startTime).' },
      startSequence: { type: 'integer', minimum: 0, description: 'With deliverPolicy sequence: the first stream sequence delivered.' },
      startTime: { type: 'integer', minimum: 0, description: 'With deliverPolicy time: Unix seconds to start from.' },
      deliverAll: { type: 'boolean', description: 'Read by daprd before 1.10 and ignored since (deliverPolicy decides); accepted and ignored here too.' },
      ackPolicy: { type: 'string', enum: ['explicit', 'all', 'none'], default: 'explicit', description: 'explicit: each message acknowledged after the app accepted it; all: an ack covers earlier messages too; none: nothing acknowledged or redelivered.' },
      ackWait: { type: 'string', format: 'duration', description: 'How long a delivered message may stay unacknowledged before the server delivers it again (server default 30s); also the delay before a refused message comes back.' },
      maxDeliver: { type: 'integer', description: 'Deliveries of one message before the server gives up on it (server default: no limit).' },
      backOff: { type: 'string', description: 'Comma-separated redelivery delays for unacknowledged messages, e.g. "50ms, 1s, 10s" (needs maxDeliver above their count).' },
      maxAckPending: { type: 'integer', minimum: 0, description: 'Messages delivered and not yet acknowledged, per consumer (server default 1000).' },
      replicas: { type: 'integer', minimum: 0, description: 'Replicas of the consumer’s state (clustered servers).' },
      memoryStorage: { type: 'boolean', default: false, description: 'Keep the consumer’s state in memory instead of on disk.' },
      rateLimit: { type: 'integer', minimum: 0, description: 'Delivery rate limit of the consumer, in bits per second.' },
      heartbeat: { type: 'string', format: 'duration', description: 'Idle heartbeat interval of the consumer (needed by flowControl; not with queueGroupName).' },
      flowControl: { type: 'boolean', default: false, description: 'Server-side flow control of the push consumer (needs heartbeat; not with queueGroupName).' },
      domain: { type: 'string', description: 'JetStream domain (leaf nodes): API subjects under $JS.<domain>.API.' },
      apiPrefix: { type: 'string', description: 'JetStream API subject prefix, for accounts importing another account’s JetStream.' },
      concurrency: { type: 'string', enum: ['single', 'parallel'], default: 'single', description: 'Hand a subscription’s messages to the app one at a time, or each as it arrives.' },
    },
    required: ['natsURL'],
  },
  load: async () => (await import('./jetstream-pubsub.js')).createJetStreamPubSub,
};
