import type { Consumer, JsMsg } from 'nats';
import type { MessageHandler, PubSubSubscription } from '../../../contracts/pubsub.js';

const CLOSE_WAIT_MS = 10_000;

/**
 * Pulls from a durable consumer and hands each message to the handler, at most `concurrency` at once,
 * starting them in delivery order: resolved → ack, rejected → nak (the server redelivers).
 */
export async function consumeMessages(consumer: Consumer, handler: MessageHandler, concurrency: number): Promise<PubSubSubscription> {
  const messages = await consumer.consume({ max_messages: Math.max(concurrency, 16) });
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  const handle = async (m: JsMsg) => {
    const metadata: Record<string, string> = {};
    for (const [k, v] of m.headers ?? []) if (k !== 'Content-Type') metadata[k] = v.join(', ');
    try {
      await handler({ topic: m.subject, data: Buffer.from(m.data), contentType: m.headers?.get('Content-Type') || undefined, metadata, brokerId: `${m.info.stream}/${m.seq}` });
      m.ack();
    } catch {
      if (!closed) m.nak();
    }
  };
  const loop = (async () => {
    for await (const m of messages) {
      if (closed) break;
      const p = handle(m).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  })();
  return {
    async close() {
      if (closed) return;
      closed = true;
      await messages.close().catch(() => undefined);
      const settled = Promise.all([loop.catch(() => undefined), ...inFlight]);
      await Promise.race([settled, new Promise((r) => setTimeout(r, CLOSE_WAIT_MS))]);
    },
  };
}
