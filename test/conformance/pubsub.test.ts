import { inject } from 'vitest';
import { pubsubMatrix } from './pubsub-matrix.js';
import { describePubSubConformance } from './pubsub-suite.js';

for (const adapter of pubsubMatrix) describePubSubConformance(adapter, () => ({ redisAddress: inject('redisAddress'), kafkaBrokers: inject('kafkaBrokers'), mqttUrl: inject('mqttUrl'), natsUrl: inject('natsUrl'), amqpUrl: inject('amqpUrl') }));
