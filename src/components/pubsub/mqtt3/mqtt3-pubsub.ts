import { randomUUID } from 'node:crypto';
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { ComponentContext } from '../../../contracts/component.js';
import { PubSubFeature, type MessageHandler, type PublishRequest, type PubSub, type PubSubSubscription, type SubscribeRequest } from '../../../contracts/pubsub.js';
import { MqttConsumer } from './consumer.js';

export type Mqtt3Metadata = {
  url: string;
  consumerID?: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  cleanSession: boolean;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
};

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * MQTT 3.1.1 as daprd's pubsub.mqtt3: topics are MQTT topics (wildcards `+`/`#` allowed), QoS 1 and a
 * persistent session per consumer id by default, so a restarted subscriber gets what was published
 * while it was away. MQTT 3 has no negative acknowledgement: a message whose handler fails is left
 * unacknowledged and the subscribing connection is re-established, which makes the broker send it again.
 */
class Mqtt3PubSub implements PubSub<Mqtt3Metadata> {
  #md!: Mqtt3Metadata;
  #publisher?: MqttClient;
  readonly #consumers = new Map<string, MqttConsumer>();

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: Mqtt3Metadata): Promise<void> {
    this.#md = md;
    this.#publisher = await this.connect(`${md.consumerID || 'mecha'}-pub-${randomUUID().slice(0, 8)}`, true);
  }

  features() {
    return [PubSubFeature.SubscribeWildcards] as const;
  }

  async publish(req: PublishRequest): Promise<void> {
    const retain = req.metadata.retain !== undefined ? req.metadata.retain === 'true' : this.#md.retain;
    await this.#publisher!.publishAsync(req.topic, req.data, { qos: this.#md.qos, retain });
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription> {
    const clientId = this.#md.consumerID || req.consumerId;
    let consumer = this.#consumers.get(clientId);
    if (!consumer) {
      consumer = new MqttConsumer((clean, onMessage) => this.connect(clientId, clean, onMessage), this.#md, this.ctx.logger);
      this.#consumers.set(clientId, consumer);
    }
    return consumer.add(req.topic, handler);
  }

  async close(): Promise<void> {
    const consumers = [...this.#consumers.values()];
    this.#consumers.clear();
    await Promise.all(consumers.map((c) => c.close()));
    await this.#publisher?.endAsync().catch(() => undefined);
    this.#publisher = undefined;
  }

  /**
   * One connection; fails with the broker's reason or after a bounded wait. `onMessage` is installed
   * before connecting: a persistent session's queued messages arrive right after CONNACK.
   */
  async connect(clientId: string, clean: boolean, onMessage?: (client: MqttClient, packet: IPublishPacket, done: () => void) => void): Promise<MqttClient> {
    const md = this.#md;
    const url = md.url.replace(/^tcp:/, 'mqtt:').replace(/^(ssl|tls|tcps):/, 'mqtts:');
    const options: IClientOptions = {
      clientId,
      clean,
      protocolVersion: 4,
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectPeriod: 1000,
      ...(md.caCert ? { ca: md.caCert } : {}),
      ...(md.clientCert ? { cert: md.clientCert, key: md.clientKey } : {}),
    };
    const client = connect(url, options);
    if (onMessage) client.handleMessage = (packet, done) => onMessage(client, packet, done);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no CONNACK within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
        client.once('connect', () => (clearTimeout(timer), resolve()));
        client.once('error', (err) => (clearTimeout(timer), reject(err)));
      });
    } catch (err) {
      client.end(true);
      throw new Error(`cannot connect to the MQTT broker at ${new URL(md.url).host}: ${(err as Error).message}`);
    }
    return client;
  }
}

export function createMqtt3PubSub(ctx: ComponentContext): Mqtt3PubSub {
  return new Mqtt3PubSub(ctx);
}
