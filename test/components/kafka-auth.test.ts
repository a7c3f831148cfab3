import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { PubSub } from '../../src/contracts/pubsub.js';
import { kafkaPubSub } from '../../src/components/pubsub/kafka/index.js';
import { KAFKA_SASL_USER } from '../support/kafka-server.js';
import { collector, event, seqOf, unique, waitUntil } from './kafka-fixtures.js';

const saslBrokers = inject('kafkaSaslBrokers');
const made: PubSub[] = [];

/** An adapter on the broker's SASL listener, configured as a daprd component file would be. */
async function withPassword(metadata: Record<string, string>): Promise<PubSub> {
  const checked = validateAdapterMetadata(kafkaPubSub, {
    brokers: saslBrokers,
    authType: 'password',
    disableTls: 'true',
    saslUsername: KAFKA_SASL_USER.username,
    saslPassword: metadata.saslMechanism === 'PLAINTEXT' ? KAFKA_SASL_USER.plainPassword : KAFKA_SASL_USER.scramPassword,
    sessionTimeout: '6s',
    heartbeatInterval: '1s',
    initialOffset: 'oldest',
    ...metadata,
  });
  expect(checked.errors).toEqual([]);
  const ps = (await kafkaPubSub.load())({ name: 'kafka-sasl', logger: pino({ level: 'silent' }) });
  made.push(ps);
  await ps.init(checked.value);
  return ps;
}

describe.skipIf(!saslBrokers)('pubsub.kafka with authType password', () => {
  afterAll(async () => {
    await Promise.allSettled(made.map((p) => p.close()));
  });

  for (const saslMechanism of ['PLAINTEXT', 'SHA-256', 'SHA-512']) {
    it(`publishes and consumes with saslMechanism ${saslMechanism}`, async () => {
      const ps = await withPassword({ saslMechanism });
      const topic = unique(`sasl-${saslMechanism.toLowerCase()}`);
      const sink = collector();
      const sub = await ps.subscribe({ topic, consumerId: unique('group'), metadata: {} }, sink.handler);
      await ps.publish({ topic, data: event(7), metadata: {} });
      await waitUntil(() => sink.messages.length >= 1, 10_000);
      await sub.close();
      expect(sink.messages.map(seqOf)).toEqual([7]);
    });
  }

  it('fails init when the broker refuses the credentials, and really speaks SCRAM for SHA-512', async () => {
    // The PLAIN password is wrong for SCRAM: accepted only if the adapter fell back to PLAIN.
    await expect(withPassword({ saslMechanism: 'SHA-512', saslPassword: KAFKA_SASL_USER.plainPassword })).rejects.toThrow(/auth/i);
    await expect(withPassword({ saslMechanism: 'PLAINTEXT', saslPassword: KAFKA_SASL_USER.scramPassword })).rejects.toThrow(/auth/i);
  });
});
