import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { readSubscription, type SubscriptionDefinition } from '../../core/subscriptions/subscription.js';
import type { EventChannel } from '../grpc-event-channel.js';

const ATTEMPTS = 3;
// The sidecar is not ready until this call returns, so an app that never answers must not hold it long.
const TIMEOUT_MS = 2000;
const PAUSE_MS = 500;

/**
 * The app's programmatic subscriptions: `GET /dapr/subscribe`. 404 means none; another status or an
 * unparsable body is logged and means none, as in daprd; a refused connection is retried a few times,
 * an app that does not answer in time is not.
 * Entries that are invalid are logged with the field at fault and skipped.
 */
export async function fetchAppSubscriptions(channel: EventChannel, appId: string, logger: Logger): Promise<SubscriptionDefinition[]> {
  let res;
  for (let attempt = 1; ; attempt++) {
    try {
      res = await channel.invoke({
        method: 'GET',
        path: '/dapr/subscribe',
        headers: { 'dapr-app-id': appId, 'content-type': 'application/json' },
        timeoutMs: TIMEOUT_MS,
      });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= ATTEMPTS || (code !== 'ECONNREFUSED' && code !== 'ECONNRESET')) {
        logger.error({ err: (err as Error).message }, 'cannot get the subscriptions of the app (GET /dapr/subscribe)');
        return [];
      }
      await sleep(PAUSE_MS);
    }
  }
  if (res.status === 404) return [];
  if (res.status < 200 || res.status > 299) {
    logger.error({ status: res.status }, 'GET /dapr/subscribe failed; the app has no programmatic subscriptions');
    return [];
  }
  let items: unknown;
  try {
    items = JSON.parse(res.body.toString('utf8') || 'null');
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'GET /dapr/subscribe answered a body that is not JSON');
    return [];
  }
  if (items === null) return [];
  if (!Array.isArray(items)) {
    logger.error('GET /dapr/subscribe must answer a JSON array of subscriptions');
    return [];
  }
  const out: SubscriptionDefinition[] = [];
  items.forEach((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      logger.error({ index: i }, 'GET /dapr/subscribe: an entry is not an object; skipped');
      return;
    }
    const read = readSubscription(item as Record<string, unknown>, 'PROGRAMMATIC', `[${i}].`, { grpcRoutes: channel.grpcRoutes });
    if (read.value) out.push(read.value);
    else logger.error({ problems: read.errors.map((e) => `${e.field}: ${e.message}`) }, 'GET /dapr/subscribe: invalid subscription skipped');
  });
  return out;
}
