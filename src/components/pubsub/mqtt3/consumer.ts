import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { MessageHandler, PubSubSubscription } from '../../../contracts/pubsub.js';
import { topicMatcher } from './topic-matcher.js';

interface Route {
  pattern: string;
  matches(topic: string): boolean;
  handler: MessageHandler;
}

/** Wait before re-establishing the connection after a refused message, so a failing app is not hammered. */
const REDELIVER_DELAY_MS = 250;

/**
 * The subscribing connection of one consumer id. mqtt.js hands messages over one at a time and sends
 * the PUBACK when `handleMessage` calls back, so a message is acknowledged only after its handler
 * resolved, in arrival order. A refused message is never acknowledged: the connection is dropped and
 * made again (same client id, persistent session), and the broker sends the message again.
 */
export class MqttConsumer {
  #routes: Route[] = [];
  #client?: Promise<MqttClient>;
  #reconnecting = false;
  /** A message was refused while reconnecting: connect once more when done. */
  #refusedMeanwhile?: MqttClient;
  #closed = false;

  constructor(
    private readonly connect: (clean: boolean, onMessage: (client: MqttClient, packet: IPublishPacket, done: () => void) => void) => Promise<MqttClient>,
    private readonly md: { qos: 0 | 1 | 2; cleanSession: boolean },
    private readonly logger: Logger,
  ) {}

  async add(pattern: string, handler: MessageHandler): Promise<PubSubSubscription> {
    const route: Route = { pattern, matches: topicMatcher(pattern), handler };
    this.#routes.push(route);
    const client = await this.#connected();
    await client.subscribeAsync(pattern, { qos: this.md.qos }).catch((err: Error) => {
      // A refused message may have replaced the connection meanwhile; the new one subscribes every route.
      if (!this.#reconnecting && this.#client && client.connected) throw err;
    });
    let closed = false;
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        this.#routes = this.#routes.filter((r) => r !== route);
        // The last subscription ends the connection and the broker keeps the session; with others left,
        // the topic is unsubscribed so its messages do not arrive with no one to take them.
        if (this.#routes.length === 0) await this.close();
        else if (!this.#routes.some((r) => r.pattern === pattern)) await (await this.#connected()).unsubscribeAsync(pattern).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    await client?.then((c) => c.endAsync(), () => undefined).catch(() => undefined);
  }

  #connected(): Promise<MqttClient> {
    this.#closed = false;
    this.#client ??= this.connect(this.md.cleanSession, (c, packet, done) => void this.#deliver(c, packet, done)).then((c) => {
      c.on('error', (err) => this.logger.warn({ err: err.message }, 'MQTT connection error'));
      return c;
    });
    this.#client.catch(() => (this.#client = undefined));
    return this.#client;
  }

  async #deliver(client: MqttClient, packet: IPublishPacket, done: (err?: Error) => void): Promise<void> {
    const route = this.#routes.find((r) => r.matches(packet.topic));
    if (!route) return done(); // no subscription left for it (closing): acknowledged, as unsubscribed
    const data = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    try {
      await route.handler({ topic: packet.topic, data, metadata: { retained: String(packet.retain === true) }, brokerId: String(packet.messageId ?? '') });
    } catch (err) {
      this.logger.debug({ topic: packet.topic, err: (err as Error).message }, 'message refused; reconnecting for redelivery');
      return this.#redeliver(client);
    }
    done();
  }

  /** Drops the connection without acknowledging and connects again; the broker resends what is unacknowledged. */
  async #redeliver(client: MqttClient): Promise<void> {
    if (this.#closed) return;
    if (this.#reconnecting) {
      this.#refusedMeanwhile = client;
      return;
    }
    this.#reconnecting = true;
    try {
      // Not forced: acknowledgements already written still reach the broker before the connection ends.
      await Promise.race([client.endAsync(false).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      client.end(true);
      this.#client = undefined;
      await new Promise((r) => setTimeout(r, REDELIVER_DELAY_MS));
      if (this.#closed) return;
      const next = await this.#connected();
      // A persistent session keeps the subscriptions (and a refused message would hold the SUBACK back
      // anyway); a clean one starts with none, so they are made again.
      if (this.md.cleanSession) for (const pattern of new Set(this.#routes.map((r) => r.pattern))) await next.subscribeAsync(pattern, { qos: this.md.qos });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'reconnecting to the MQTT broker failed; mqtt.js keeps retrying');
    } finally {
      this.#reconnecting = false;
    }
    const again = this.#refusedMeanwhile;
    this.#refusedMeanwhile = undefined;
    if (again) await this.#redeliver(again);
  }
}
