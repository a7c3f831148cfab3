import { consumerOpts, type JetStreamClient, type JsMsg, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { MessageHandler, PubSubSubscription } from '../../../contracts/pubsub.js';
import type { ConsumerSettings } from './consumer-settings.js';

/** How long closing a subscription waits for handlers still running; their messages then stay unacknowledged. */
const CLOSE_WAIT_MS = 5_000;

export interface BoundConsumer {
  nc: NatsConnection;
  js: JetStreamClient;
  stream: string;
  /** The durable name, or the server-given name of an ephemeral consumer. */
  consumer: string;
  topic: string;
  queueGroup?: string;
  concurrency: 'single' | 'parallel';
  settings: ConsumerSettings;
  logger: Logger;
}

/**
 * Subscribes to an existing push consumer (as daprd binds with nats.Bind), in its queue group when one is
 * set. Each message goes to the handler and is acknowledged only after the handler resolved, NAKed (after
 * ackWait when set) when it rejected. `single` hands over one message at a time in delivery order;
 * `parallel` each as it arrives (the consumer's maxAckPending bounds them).
 */
export async function subscribeBound(b: BoundConsumer, handler: MessageHandler): Promise<PubSubSubscription> {
  const waiting: JsMsg[] = [];
  const running = new Set<Promise<void>>();
  let closed = false;
  let pumping = false;

  const settle = (m: JsMsg, accepted: boolean, nakDelayMs = b.settings.nakDelayMs) => {
    if (!b.settings.acknowledges) return;
    try {
      if (accepted) m.ack();
      else if (nakDelayMs > 0) m.nak(nakDelayMs);
      else m.nak();
    } catch (err) {
      b.logger.warn({ err, topic: b.topic, seq: m.seq }, accepted ? 'jetstream ack failed' : 'jetstream nak failed');
    }
  };
  const handle = async (m: JsMsg) => {
    try {
      await handler({ topic: b.topic, data: Buffer.from(m.data), metadata: { Topic: m.subject }, brokerId: `${m.info.stream}/${m.seq}` });
      settle(m, true);
    } catch {
      settle(m, false);
    }
  };
  const track = (p: Promise<void>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
  };
  const pump = async () => {
    pumping = true;
    while (!closed && waiting.length > 0) await handle(waiting.shift()!);
    pumping = false;
  };

  const opts = consumerOpts();
  opts.bind(b.stream, b.consumer);
  opts.manualAck();
  if (b.queueGroup) opts.queue(b.queueGroup);
  opts.callback((err, m) => {
    // Missed idle heartbeats and consumer status notices arrive here; the subscription itself goes on.
    if (err) return void b.logger.warn({ err: err.message, topic: b.topic, consumer: b.consumer }, 'jetstream subscription notice');
    if (!m) return;
    if (closed) return settle(m, false, 0); // arrived while closing: back to the consumer's other sidecars
    if (b.concurrency === 'parallel') return track(handle(m));
    waiting.push(m);
    if (!pumping) track(pump());
  });
  const sub = await b.js.subscribe(b.topic, opts);
  // The server has the interest before subscribe resolves, so later publishes reach this subscription.
  await b.nc.flush();

  return {
    async close() {
      if (closed) return;
      closed = true;
      sub.unsubscribe();
      // Received but not started: hand them back now rather than after ackWait.
      for (const m of waiting.splice(0)) settle(m, false, 0);
      const settledAll = Promise.all(running);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settledAll, new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
    },
  };
}
