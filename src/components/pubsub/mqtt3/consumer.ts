import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { MessageHandler, PubSubSubscription } from '../../../contracts/pubsub.js';
import { withDeadline } from '../../../util/deadline.js';
import { topicMatcher } from './topic-matcher.js';

interface Route {
  pattern: string;
  matches(topic: string): boolean;
  handler: MessageHandler;
  unsubscribeOnClose: boolean;
}

export type Connect = (clean: boolean, onMessage: (client: MqttClient, packet: IPublishPacket, done: () => void) => void) => Promise<MqttClient>;

/** Longest wait for a SUBSCRIBE/UNSUBSCRIBE answer (daprd waits as long). */
const BROKER_WAIT_MS = 20_000;

const bounded = <T>(work: Promise<T>, what: string) => withDeadline(work, BROKER_WAIT_MS, `${what}: no answer from the MQTT broker within ${BROKER_WAIT_MS} ms`);

/** Wait before re-establishing the connection after a refused message, so a failing app is not hammered. */
const REDELIVER_DELAY_MS = 250;

/**
 * The subscribing connection of one consumer id. mqtt.js hands messages over one at a time and sends
 * the PUBACK when `handleMessage` calls back, so a message is acknowledged only after its handler
 * resolved, in arrival order. MQTT 3 has no negative acknowledgement and a broker resends unacknowledged
 * messages only when the client reconnects: a refused message is therefore never acknowledged, the
 * connection is dropped and made again (same client id, persistent session), and the broker sends it
 * again. With `cleanSession` a reconnection would discard the session: the refused message is
 * acknowledged and lost, as it is in daprd.
 */
export class MqttConsumer {
  #routes: Route[] = [];
  #client?: Promise<MqttClient>;
  #reconnecting = false;
  /** A message was refused while reconnecting: connect once more when done. */
  #refusedMeanwhile?: MqttClient;
  #closed = false;

  constructor(
    private readonly connect: Connect,
    private readonly md: { qos: 0 | 1 | 2; cleanSession: boolean },
    private readonly logger: Logger,
  ) {}

  async add(pattern: string, handler: MessageHandler, unsubscribeOnClose: boolean): Promise<PubSubSubscription> {
    const route: Route = { pattern, matches: topicMatcher(pattern), handler, unsubscribeOnClose };
    this.#routes.push(route);
    this.#closed = false;
    try {
      const client = await this.#connected();
      await bounded(client.subscribeAsync(pattern, { qos: this.md.qos }), `subscribing to ${pattern}`).catch((err: Error) => {
        // A refused message may have replaced the connection meanwhile; the new one subscribes every route.
        if (!this.#reconnecting && this.#client && client.connected) throw err;
      });
    } catch (err) {
      this.#routes = this.#routes.filter((r) => r !== route);
      if (this.#routes.length === 0) await this.close();
      throw err;
    }
    let closed = false;
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        this.#routes = this.#routes.filter((r) => r !== route);
        if (this.#routes.some((r) => r.pattern === pattern)) return;
        // The last subscription ends the connection and the broker keeps the session (and the
        // subscription, as daprd does, unless unsubscribeOnClose); with others left, the topic is
        // unsubscribed, as its messages could not be left unacknowledged without blocking the others.
        const unsubscribe = this.#routes.length > 0 || route.unsubscribeOnClose || this.md.cleanSession;
        if (unsubscribe && this.#client) {
          const client = await this.#client.catch(() => undefined);
          await (client && bounded(client.unsubscribeAsync(pattern), `unsubscribing from ${pattern}`).catch(() => undefined));
        }
        if (this.#routes.length === 0) await this.close();
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
    this.#client ??= this.connect(this.md.cleanSession, (c, packet, done) => void this.#deliver(c, packet, done)).then((c) => {
      c.on('offline', () => this.logger.warn('MQTT connection lost; mqtt.js reconnects'));
      return c;
    });
    const current = this.#client;
    current.catch(() => {
      if (this.#client === current) this.#client = undefined;
    });
    return current;
  }

  async #deliver(client: MqttClient, packet: IPublishPacket, done: (err?: Error) => void): Promise<void> {
    const route = this.#routes.find((r) => r.matches(packet.topic));
    if (!route) {
      // The last subscription is closing: left unacknowledged for the session. Otherwise its topic is
      // being unsubscribed while others go on: acknowledged so that they are not held back.
      if (this.#routes.length > 0) done();
      return;
    }
    const data = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    try {
      await route.handler({ topic: packet.topic, data, metadata: { retained: String(packet.retain === true) }, brokerId: String(packet.messageId ?? '') });
    } catch (err) {
      if (this.md.cleanSession || this.md.qos === 0) {
        this.logger.error({ topic: packet.topic, err: (err as Error).message }, 'message refused; with cleanSession or QoS 0 the broker cannot send it again, so it is dropped');
        return done();
      }
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
      // The persistent session keeps the subscriptions; a SUBSCRIBE would wait behind the refused message.
      for (let attempt = 1; !this.#closed; attempt++) {
        try {
          await this.#connected();
          break;
        } catch (err) {
          this.logger.warn({ err: (err as Error).message, attempt }, 'reconnecting to the MQTT broker failed; retrying');
          await new Promise((r) => setTimeout(r, Math.min(5000, REDELIVER_DELAY_MS * 2 ** attempt)));
        }
      }
    } finally {
      this.#reconnecting = false;
    }
    const again = this.#refusedMeanwhile;
    this.#refusedMeanwhile = undefined;
    if (again) await this.#redeliver(again);
  }
}
