import type { BindingEvent } from '../contracts/binding.js';
import type { GrpcAppChannel } from './grpc-app-channel.js';
import type { EventChannel } from './grpc-event-channel.js';
import { traceInputBinding } from '../observability/tracing-hooks.js';

const PROBE_TIMEOUT_MS = 3000;
const DELIVERY_TIMEOUT_MS = 60_000;

/** Output bindings a gRPC app asks to receive `data` (BindingEventResponse `to`/`data`/`concurrency`). */
export interface FanOut {
  to: string[];
  data: Buffer;
  parallel: boolean;
}

/** What the app answered to a binding event: its reply, and possibly a fan-out. */
export interface BindingAnswer {
  data: Buffer;
  fanOut?: FanOut;
}

/** The app as input bindings reach it, over HTTP or gRPC. */
export interface BindingReceiver {
  /** Whether the app wants this binding's events (when its `direction` does not say so). */
  listens(name: string, route: string): Promise<boolean>;
  /** Resolves with the app's answer; rejects when the app refused the event. */
  deliver(name: string, route: string, event: BindingEvent): Promise<BindingAnswer>;
}

/** HTTP apps: `OPTIONS /<route>` answering 2xx or 405 means listening; events are `POST /<route>` with metadata as headers. */
export function httpBindingReceiver(channel: EventChannel): BindingReceiver {
  return {
    async listens(_name, route) {
      try {
        const res = await channel.invoke({ method: 'OPTIONS', path: route, headers: { 'content-type': 'application/json' }, timeoutMs: PROBE_TIMEOUT_MS });
        return (res.status >= 200 && res.status < 300) || res.status === 405;
      } catch {
        return false;
      }
    },
    async deliver(name, route, event) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      for (const [k, v] of Object.entries(event.metadata)) if (/^[\w.-]+$/.test(k) && !/[\r\n]/.test(v)) headers[k] = v;
      return traceInputBinding(name, route, event.metadata, headers, async () => {
        const res = await channel.invoke({ method: 'POST', path: route, headers, body: event.data, timeoutMs: DELIVERY_TIMEOUT_MS });
        if (res.status < 200 || res.status > 299) throw new Error(`app answered ${res.status} to the ${name} binding event`);
        return { data: res.body };
      });
    },
  };
}

/** gRPC apps: ListInputBindings (asked once) names the bindings; events are OnBindingEvent. */
export function grpcBindingReceiver(app: GrpcAppChannel): BindingReceiver {
  let listed: Promise<Set<string>> | undefined;
  return {
    async listens(name) {
      listed ??= app.listInputBindings().then((names) => new Set(names), () => new Set<string>());
      return (await listed).has(name);
    },
    async deliver(name, _route, event) {
      const res = await app.onBindingEvent({ name, data: event.data, metadata: event.metadata }, DELIVERY_TIMEOUT_MS);
      const to = (res.to ?? []).filter((t) => t !== '');
      return {
        data: res.data ?? Buffer.alloc(0),
        fanOut: to.length > 0 ? { to, data: res.data ?? Buffer.alloc(0), parallel: res.concurrency === 'PARALLEL' } : undefined,
      };
    },
  };
}
