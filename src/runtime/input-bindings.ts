import type { Logger } from 'pino';
import { isInputBinding, type Binding } from '../contracts/binding.js';
import type { ComponentCall } from '../resiliency/component-caller.js';
import type { ComponentHost } from './component-host.js';
import type { EventChannel } from './grpc-event-channel.js';

const PROBE_TIMEOUT_MS = 3000;
const DELIVERY_TIMEOUT_MS = 60_000;

/**
 * Starts the input bindings the app listens to, as daprd does: a binding whose `direction` names
 * `input` is assumed wanted; otherwise `OPTIONS /<route>` must answer 2xx or 405. Each event is
 * `POST /<route>` with the metadata as headers; a non-2xx answer is a refusal the component redelivers.
 */
export async function startInputBindings(
  host: ComponentHost,
  channel: EventChannel,
  call: ComponentCall,
  logger: Logger,
  appUnavailable: () => string | undefined,
): Promise<Array<{ close(): Promise<void> }>> {
  const started: Array<{ close(): Promise<void> }> = [];
  for (const c of host.list('bindings')) {
    const binding = c.instance as Binding;
    if (!isInputBinding(binding)) continue;
    const name = c.spec.name;
    const route = `/${(c.spec.runtimeMetadata.route || name).replace(/^\/+/, '')}`;
    const declared = (c.spec.runtimeMetadata.direction ?? '').split(',').map((d) => d.trim().toLowerCase());
    if (c.spec.runtimeMetadata.direction && !declared.includes('input')) continue;
    if (!declared.includes('input') && !(await listens(channel, route))) {
      logger.info({ binding: name, route }, 'app does not listen to the input binding; not started');
      continue;
    }
    const handle = await binding.read((event) =>
      call(name, async () => {
        const unavailable = appUnavailable();
        if (unavailable) throw new Error(unavailable);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        for (const [k, v] of Object.entries(event.metadata)) if (/^[\w.-]+$/.test(k) && !/[\r\n]/.test(v)) headers[k] = v;
        const res = await channel.invoke({ method: 'POST', path: route, headers, body: event.data, timeoutMs: DELIVERY_TIMEOUT_MS });
        if (res.status < 200 || res.status > 299) throw new Error(`app answered ${res.status} to the ${name} binding event`);
        return res.body;
      }),
    );
    started.push(handle);
    logger.info({ binding: name, route }, 'input binding started');
  }
  return started;
}

async function listens(channel: EventChannel, route: string): Promise<boolean> {
  try {
    const res = await channel.invoke({ method: 'OPTIONS', path: route, headers: { 'content-type': 'application/json' }, timeoutMs: PROBE_TIMEOUT_MS });
    return (res.status >= 200 && res.status < 300) || res.status === 405;
  } catch {
    return false;
  }
}
