import type { Logger } from 'pino';
import { jsonItems, type ConfigurationSink } from '../core/configuration-api.js';
import type { ComponentCall } from '../resiliency/component-caller.js';
import type { EventChannel } from './grpc-event-channel.js';

/**
 * Tells an HTTP app about changed items as daprd does: `POST /configuration/<store>/<key>` for each
 * changed key, each carrying the whole update `{id, items}`; a non-200 answer is a failure (retried
 * under the component's inbound policy, then logged).
 */
export function appConfigurationSink(channel: EventChannel, storeName: string, call: ComponentCall, logger: Logger): ConfigurationSink {
  return (id, items) => {
    const body = Buffer.from(JSON.stringify({ id, items: jsonItems(items) }));
    for (const key of Object.keys(items)) {
      call(storeName, async () => {
        const res = await channel.invoke({ method: 'POST', path: `/configuration/${storeName}/${encodeURIComponent(key)}`, headers: { 'content-type': 'application/json' }, body, timeoutMs: 30_000 });
        if (res.status !== 200) throw new Error(`error sending configuration item to application, status ${res.status}`);
      }).catch((err: Error) => logger.error({ store: storeName, key, err: err.message }, 'error sending configuration item to the app'));
    }
  };
}
