import { Errors } from '../../errors/codes.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import type { TopicEventRequest } from '../grpc-event-channel.js';
import type { SubscriptionManager } from './subscription-manager.js';
import { StreamEventChannel } from './stream-channel.js';

export interface StreamSubscriptionRequest {
  pubsubName: string;
  topic: string;
  metadata: Record<string, string>;
  deadLetterTopic?: string;
}

export interface StreamSubscription {
  /** The client's `event_processed` for an event id; status `SUCCESS`, `RETRY` or `DROP`. */
  processed(id: string, status: string): void;
  /** Ends the subscription; unacknowledged events stay with the broker. */
  close(): Promise<void>;
}

/**
 * Opens a subscription whose events travel on a client's stream rather than to the app: a STREAMING
 * subscription with route `/`, delivered with the same retries, dead-lettering and answers as any other.
 */
export async function openStreamSubscription(
  subscriptions: SubscriptionManager,
  req: StreamSubscriptionRequest,
  send: (event: TopicEventRequest) => void,
): Promise<StreamSubscription> {
  if (!req.pubsubName) throw new SidecarError(Errors.SubscribeStreamRequest, 'pubsubName is required');
  if (!req.topic) throw new SidecarError(Errors.SubscribeStreamRequest, 'topic is required');
  const events = new StreamEventChannel(send);
  const stop = await subscriptions.startStreaming(
    {
      pubsubName: req.pubsubName,
      topic: req.topic,
      metadata: req.metadata,
      deadLetterTopic: req.deadLetterTopic || undefined,
      rules: [{ match: '', path: '/' }],
      type: 'STREAMING',
    },
    events.channel,
  );
  let closing: Promise<void> | undefined;
  return {
    processed: (id, status) => void events.processed(id, status),
    close: () => {
      closing ??= (async () => {
        events.close();
        await stop();
      })();
      return closing;
    },
  };
}
