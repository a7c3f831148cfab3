import { grpcEventChannel, type EventChannel, type TopicEventRequest } from '../grpc-event-channel.js';
import { DeliveryAborted } from './delivery-context.js';

/** Waiting longer than this for an acknowledgement counts as RETRY, so a silent client cannot stall a topic. */
const ACK_TIMEOUT_MS = 60_000;
const STREAM_CLOSED = 'the subscription stream closed before the event was acknowledged';

interface Pending {
  resolve(status: string): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The event channel of one SubscribeTopicEventsAlpha1 stream: each delivery goes out as `event_message`
 * and completes when the client sends `event_processed` with that event's id. The same id can be in
 * flight more than once (a redelivery), so acknowledgements settle the oldest delivery of the id first.
 */
export class StreamEventChannel {
  readonly channel: EventChannel;
  #pending = new Map<string, Pending[]>();
  #closed = false;

  constructor(send: (event: TopicEventRequest) => void) {
    this.channel = grpcEventChannel({
      listTopicSubscriptions: async () => [],
      onTopicEvent: (event) => {
        if (this.#closed) return Promise.reject(new DeliveryAborted(STREAM_CLOSED));
        return new Promise<string>((resolve, reject) => {
          const entry: Pending = { resolve, reject, timer: setTimeout(() => this.#settle(event.id, entry, 'RETRY'), ACK_TIMEOUT_MS) };
          const queue = this.#pending.get(event.id) ?? [];
          queue.push(entry);
          this.#pending.set(event.id, queue);
          send(event);
        });
      },
    });
  }

  /** The client's answer for an event id; an id with nothing in flight is ignored (a late or duplicate ack). */
  processed(id: string, status: string): boolean {
    const entry = this.#pending.get(id)?.[0];
    if (!entry) return false;
    this.#settle(id, entry, status || 'SUCCESS');
    return true;
  }

  /** The stream ended: deliveries in flight are abandoned unacknowledged, so the broker keeps their messages. */
  close(): void {
    this.#closed = true;
    for (const [id, queue] of this.#pending) for (const entry of [...queue]) this.#settle(id, entry, new DeliveryAborted(STREAM_CLOSED));
  }

  #settle(id: string, entry: Pending, outcome: string | Error): void {
    clearTimeout(entry.timer);
    const queue = this.#pending.get(id) ?? [];
    const rest = queue.filter((e) => e !== entry);
    if (rest.length > 0) this.#pending.set(id, rest);
    else this.#pending.delete(id);
    if (outcome instanceof Error) entry.reject(outcome);
    else entry.resolve(outcome);
  }
}
