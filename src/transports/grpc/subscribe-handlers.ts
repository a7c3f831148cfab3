import type { ServerDuplexStream } from '@grpc/grpc-js';
import { Errors } from '../../errors/codes.js';
import { toGrpcError } from '../../errors/grpc.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import type { TopicEventRequest } from '../../runtime/grpc-event-channel.js';
import { openStreamSubscription, type StreamSubscription } from '../../runtime/subscriptions/streaming-subscriptions.js';
import type { SubscriptionManager } from '../../runtime/subscriptions/subscription-manager.js';
import { checkToken, mapOf, type CallGuard } from './handler.js';

interface StreamRequest {
  subscribe_topic_events_request_type?: 'initial_request' | 'event_processed';
  initial_request?: { pubsub_name: string; topic: string; metadata: Record<string, string>; dead_letter_topic?: string | null };
  event_processed?: { id: string; status: { status: string } | null };
}

type Stream = ServerDuplexStream<StreamRequest, { initial_response: object } | { event_message: TopicEventRequest }>;

/** SubscribeTopicEventsAlpha1: the first message opens the subscription, later ones acknowledge events. */
export function subscribeHandlers(subscriptions: SubscriptionManager, guard: CallGuard): Record<string, (call: never) => void> {
  const handler = (call: Stream) => {
    const denied = checkToken(guard, call.metadata);
    if (denied) return call.emit('error', denied);
    let session: Promise<StreamSubscription | undefined> | undefined;
    let ended = false;
    const fail = (err: unknown) => {
      if (!ended) call.emit('error', toGrpcError(err));
      end();
    };
    const end = () => {
      ended = true;
      void session?.then((s) => s?.close());
    };
    call.on('data', (msg: StreamRequest) => {
      if (!session) {
        const r = msg.initial_request;
        if (msg.subscribe_topic_events_request_type !== 'initial_request' || !r) return fail(new SidecarError(Errors.SubscribeStreamRequest, 'initial request is required'));
        session = openStreamSubscription(
          subscriptions,
          { pubsubName: r.pubsub_name, topic: r.topic, metadata: mapOf(r.metadata), deadLetterTopic: r.dead_letter_topic ?? undefined },
          (event) => call.write({ event_message: event }),
        ).then(
          (s) => {
            if (ended) void s.close();
            else call.write({ initial_response: {} });
            return s;
          },
          (err: unknown) => void fail(err),
        );
        return;
      }
      if (msg.subscribe_topic_events_request_type !== 'event_processed' || !msg.event_processed) return fail(new SidecarError(Errors.SubscribeStreamRequest, 'duplicate initial request received'));
      const { id, status } = msg.event_processed;
      void session.then((s) => s?.processed(id, status?.status ?? 'SUCCESS'));
    });
    // The client half-closing ends the subscription and the RPC cleanly, as daprd does on io.EOF.
    call.on('end', () => {
      end();
      call.end();
    });
    call.on('cancelled', end);
    call.on('error', end);
  };
  return { SubscribeTopicEventsAlpha1: handler as (call: never) => void };
}
