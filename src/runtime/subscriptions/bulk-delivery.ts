import { randomUUID } from 'node:crypto';
import type { MessageHandler, PubSubMessage } from '../../contracts/pubsub.js';
import { CLOUDEVENT_CONTENT_TYPE } from '../../core/pubsub-envelope.js';
import type { BulkSubscribeOptions } from '../../core/subscriptions/subscription.js';
import { bulkAnswer } from './app-answers.js';
import { RetriableDelivery, contractViolation, deadLetterOrDrop, deadLetterOrFail, dropUnimplemented, type DeliveryContext } from './delivery-context.js';
import { decodeEvent, isExpired, type IncomingEvent } from './event-decoding.js';

const APP_TIMEOUT_MS = 60_000;

interface Pending {
  message: PubSubMessage;
  resolve(): void;
  reject(err: unknown): void;
}

interface Entry extends Pending {
  entryId: string;
  incoming: IncomingEvent;
}

/**
 * Bulk delivery (`bulkSubscribe.enabled`): messages the broker hands over are collected until
 * `maxMessagesCount` are waiting or `maxAwaitDurationMs` passed since the first, then sent to the app in
 * one `POST` per route. Each message's promise settles with its own entry's final status, so the broker
 * acknowledges exactly the entries the app accepted (or dropped, or that went to the dead-letter topic).
 */
export function bulkDelivery(ctx: DeliveryContext, options: BulkSubscribeOptions): { handler: MessageHandler; flush(): void } {
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length > 0) void deliverBatch(ctx, batch);
  };
  const handler: MessageHandler = (message) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ message, resolve, reject });
      if (pending.length >= options.maxMessagesCount) flush();
      else timer ??= setTimeout(flush, options.maxAwaitDurationMs);
    });
  return { handler, flush };
}

async function deliverBatch(ctx: DeliveryContext, batch: Pending[]): Promise<void> {
  const settle = (p: Pending, outcome: Promise<void>) => outcome.then(p.resolve, p.reject);
  const unavailable = ctx.appUnavailable();
  if (unavailable) return batch.forEach((p) => p.reject(new Error(unavailable)));
  const byPath = new Map<string, Entry[]>();
  for (const p of batch) {
    let incoming: IncomingEvent;
    try {
      incoming = decodeEvent(p.message, ctx.raw, ctx.pubsubName);
    } catch (err) {
      settle(p, deadLetterOrFail(ctx, p.message, new Error(`cannot read the message as a CloudEvent: ${(err as Error).message}`)));
      continue;
    }
    if (isExpired(incoming.event)) {
      settle(p, deadLetterOrDrop(ctx, p.message, `event ${String(incoming.event.id)} expired`));
      continue;
    }
    const violation = contractViolation(ctx, incoming.event);
    if (violation) {
      settle(p, deadLetterOrDrop(ctx, p.message, violation));
      continue;
    }
    let route;
    try {
      route = ctx.router(incoming.event);
    } catch (err) {
      settle(p, deadLetterOrFail(ctx, p.message, err));
      continue;
    }
    if ('noMatch' in route) {
      settle(p, deadLetterOrDrop(ctx, p.message, 'no routing rule matched the event'));
      continue;
    }
    const group = byPath.get(route.path) ?? [];
    group.push({ ...p, entryId: randomUUID(), incoming });
    byPath.set(route.path, group);
  }
  await Promise.all([...byPath].map(([path, entries]) => deliverGroup(ctx, path, entries)));
}

/** One route's entries; each retry resends only the entries the app asked to retry. */
async function deliverGroup(ctx: DeliveryContext, path: string, entries: Entry[]): Promise<void> {
  let remaining = entries;
  const settle = (e: Entry, outcome: Promise<void>) => outcome.then(e.resolve, e.reject);
  try {
    await ctx.retry(async () => {
      const res = await ctx.channel
        .invoke({ method: 'POST', path, headers: { 'content-type': 'application/json', pubsubName: ctx.pubsubName }, body: bulkBody(ctx, remaining), timeoutMs: APP_TIMEOUT_MS })
        .catch((err: Error) => {
          throw new RetriableDelivery(`app unreachable: ${err.message}`);
        });
      if (res.unimplemented) {
        dropUnimplemented(ctx, path, remaining.map((e) => String(e.incoming.event.id)));
        remaining.forEach((e) => e.resolve());
        remaining = [];
        return;
      }
      const answers = bulkAnswer(res.status, res.body, remaining.map((e) => e.entryId));
      const retry: Entry[] = [];
      for (const e of remaining) {
        const status = answers.get(e.entryId);
        if (status === 'SUCCESS') e.resolve();
        else if (status === 'DROP') settle(e, deadLetterOrDrop(ctx, e.message, 'the app asked to drop the event'));
        else retry.push(e);
      }
      remaining = retry;
      if (retry.length > 0) throw new RetriableDelivery(`app asked to retry ${retry.length} of the bulk entries on ${path} (HTTP ${res.status})`, res.status);
    });
  } catch (err) {
    for (const e of remaining) settle(e, deadLetterOrFail(ctx, e.message, err));
  }
}

/** The bulk envelope daprd sends; each CloudEvent is embedded as the bytes the broker stored. */
function bulkBody(ctx: DeliveryContext, entries: Entry[]): Buffer {
  const parts = entries.map((e) => {
    const event = ctx.raw ? JSON.stringify(e.message.data.toString('base64')) : e.incoming.body.toString('utf8');
    const contentType = ctx.raw ? 'application/octet-stream' : CLOUDEVENT_CONTENT_TYPE;
    return `{"entryId":${JSON.stringify(e.entryId)},"event":${event},"contentType":"${contentType}","metadata":${JSON.stringify(e.message.metadata)}}`;
  });
  const head = { id: randomUUID(), type: 'com.dapr.event.sent.bulk', topic: ctx.subscription.topic, pubsubname: ctx.pubsubName, metadata: {} };
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"entries":[${parts.join(',')}]}`);
}
