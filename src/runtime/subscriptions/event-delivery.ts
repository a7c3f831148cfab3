import type { MessageHandler, PubSubMessage } from '../../contracts/pubsub.js';
import { CLOUDEVENT_CONTENT_TYPE } from '../../core/pubsub-envelope.js';
import { eventAnswer } from './app-answers.js';
import { DeliveryAborted, RetriableDelivery, contractViolation, deadLetterOrDrop, deadLetterOrFail, deliveryHeaders, dropUnimplemented, type DeliveryContext } from './delivery-context.js';
import { decodeEvent, isExpired } from './event-decoding.js';
import { traceDelivery } from '../../observability/tracing-hooks.js';

const APP_TIMEOUT_MS = 60_000;

/**
 * Delivers one message at a time to the app: `POST <route>` with the CloudEvent. The promise settles
 * only with the final outcome — resolved (the broker acknowledges) after success, a drop or a dead-letter
 * hand-off; rejected (the broker redelivers) when retries are exhausted and there is no dead-letter topic.
 */
export function singleDelivery(ctx: DeliveryContext): MessageHandler {
  return async (message: PubSubMessage) => {
    const unavailable = ctx.appUnavailable();
    if (unavailable) throw new Error(unavailable);
    let incoming;
    try {
      incoming = decodeEvent(message, ctx.raw, ctx.pubsubName);
    } catch (err) {
      return deadLetterOrFail(ctx, message, new Error(`cannot read the message as a CloudEvent: ${(err as Error).message}`));
    }
    if (isExpired(incoming.event)) return deadLetterOrDrop(ctx, message, `event ${String(incoming.event.id)} expired at ${String(incoming.event.expiration)}`);
    const violation = contractViolation(ctx, incoming.event);
    if (violation) return deadLetterOrDrop(ctx, message, violation);
    let route;
    try {
      route = ctx.router(incoming.event);
    } catch (err) {
      return deadLetterOrFail(ctx, message, err);
    }
    if ('noMatch' in route) return deadLetterOrDrop(ctx, message, 'no routing rule matched the event');
    const headers: Record<string, string> = { ...deliveryHeaders(message, ctx.pubsubName, incoming.event), 'content-type': CLOUDEVENT_CONTENT_TYPE };
    const path = route.path;
    let status;
    try {
      status = await traceDelivery(message.topic, incoming.event, headers, () => ctx.retry(async () => {
        const started = performance.now();
        const res = await ctx.channel.invoke({ method: 'POST', path, headers, body: incoming.body, timeoutMs: APP_TIMEOUT_MS, topic: message.topic }).catch((err: Error) => {
          ctx.observer?.delivered(ctx.pubsubName, message.topic, 'retry', 'retry', performance.now() - started);
          throw err instanceof DeliveryAborted ? err : new RetriableDelivery(`app unreachable: ${err.message}`);
        });
        if (res.unimplemented) {
          ctx.observer?.delivered(ctx.pubsubName, message.topic, 'drop', 'drop', performance.now() - started);
          return 'UNIMPLEMENTED';
        }
        const answer = eventAnswer(res.status, res.body);
        observeAnswer(ctx, message.topic, answer, res.status, performance.now() - started);
        if (answer === 'RETRY') throw new RetriableDelivery(`app answered ${res.status} ${summary(res.body)} on ${path}`, res.status);
        if (answer === 'DROP' && res.status === 404) ctx.logger.error({ path, topic: message.topic }, 'app answered 404 to an event; dropping it');
        return answer;
      }));
    } catch (err) {
      return deadLetterOrFail(ctx, message, err);
    }
    if (status === 'UNIMPLEMENTED') return dropUnimplemented(ctx, path, [String(incoming.event.id)]);
    if (status === 'DROP') return deadLetterOrDrop(ctx, message, 'the app asked to drop the event');
  };
}

/** daprd's labels: a DROP the app asked for in a 2xx answer has status "success"; a 404 drop, "drop". */
function observeAnswer(ctx: DeliveryContext, topic: string, answer: string, httpStatus: number, ms: number): void {
  if (!ctx.observer) return;
  const processStatus = answer === 'SUCCESS' ? 'success' : answer === 'RETRY' ? 'retry' : 'drop';
  ctx.observer.delivered(ctx.pubsubName, topic, processStatus, processStatus === 'drop' && httpStatus < 300 ? 'success' : processStatus, ms);
}

function summary(body: Buffer): string {
  const text = body.toString('utf8', 0, Math.min(body.length, 200)).replace(/\s+/g, ' ').trim();
  return text === '' ? '(empty body)' : text;
}
