import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { PubSub } from '../../../contracts/pubsub.js';

export const mqtt3PubSub: ComponentDescriptor<PubSub> = {
  type: 'pubsub.mqtt3',
  category: 'pubsub',
  aliases: ['pubsub.mqtt'],
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      url: { type: 'string', pattern: '^(mqtt|mqtts|tcp|ssl|tls|tcps|ws|wss)://', description: 'Broker address, e.g. tcp://user:password@host:1883 (mqtts/ssl/tls for TLS).', sensitive: true },
      consumerID: { type: 'string', description: "MQTT client id of the subscribing connection; by default the app's consumer id." },
      qos: { type: 'integer', enum: [0, 1, 2], default: 1, description: 'QoS of publishes and subscriptions.' },
      retain: { type: 'boolean', default: false, description: 'Publish with the retain flag (per message: metadata `retain`).' },
      cleanSession: { type: 'boolean', default: false, description: 'Start each connection with a clean session; false keeps subscriptions and queued messages across restarts.' },
      caCert: { type: 'string', description: 'PEM CA certificate to verify the broker.' },
      clientCert: { type: 'string', description: 'PEM client certificate (with clientKey).' },
      clientKey: { type: 'string', description: 'PEM client key.', sensitive: true },
      backOffMaxRetries: { type: 'integer', default: 0, description: 'Accepted for compatibility with daprd; retries are the runtime’s.' },
    },
    required: ['url'],
  },
  load: async () => (await import('./mqtt3-pubsub.js')).createMqtt3PubSub,
};
