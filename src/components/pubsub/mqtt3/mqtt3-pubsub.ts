import { randomUUID } from 'node:crypto';
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { ComponentContext } from '../../../contracts/component.js';
import { PubSubFeature, type MessageHandler, type PublishRequest, type PubSub, type PubSubSubscription, type SubscribeRequest } from '../../../contracts/pubsub.js';
import { withDeadline } from '../../../util/deadline.js';
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
const BROKER_WAIT_MS = 20_000;

/** Go's strconv.ParseBool, as daprd reads these values; anything else is refused naming the field. */
function parseBool(value: string, field: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new Error(`${field}: "${value}" is not a boolean`);
}

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
    if (!this.#publisher) throw new Error('the MQTT component is closed');
    const retain = req.metadata.retain ? parseBool(req.metadata.retain, 'publish metadata retain') : this.#md.retain;
    // mqtt.js queues a publish while it reconnects; daprd gives up after as long.
    await withDeadline(this.#publisher.publishAsync(req.topic, req.data, { qos: this.#md.qos, retain }), BROKER_WAIT_MS, `publishing to ${req.topic}: no acknowledgement from the MQTT broker within ${BROKER_WAIT_MS} ms`);
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<PubSubSubscription> {
    const unsubscribeOnClose = req.metadata.unsubscribeOnClose ? parseBool(req.metadata.unsubscribeOnClose, 'subscription metadata unsubscribeOnClose') : false;
    const clientId = this.#md.consumerID || req.consumerId;
    let consumer = this.#consumers.get(clientId);
    if (!consumer) {
      consumer = new MqttConsumer((clean, onMessage) => this.connect(clientId, clean, onMessage), this.#md, this.ctx.logger);
      this.#consumers.set(clientId, consumer);
    }
    return consumer.add(req.topic, handler, unsubscribeOnClose);
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
    let onError: ((err: Error) => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no CONNACK within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
        onError = (err) => (clearTimeout(timer), reject(err));
        client.once('connect', () => (clearTimeout(timer), resolve()));
        client.once('error', onError);
      });
    } catch (err) {
      client.end(true);
      throw new Error(`cannot connect to the MQTT broker at ${new URL(md.url).host}: ${(err as Error).message}`);
    }
    client.off('error', onError!);
    // Later errors (a refused reconnection…) are logged; mqtt.js keeps reconnecting.
    client.on('error', (err) => this.ctx.logger.warn({ clientId, err: err.message }, 'MQTT connection error'));
    return client;
  }
}

export function createMqtt3PubSub(ctx: ComponentContext): Mqtt3PubSub {
  return new Mqtt3PubSub(ctx);
}
