import type { ServerWritableStream } from '@grpc/grpc-js';
import type { ConfigurationApi } from '../../core/configuration-api.js';
import { toGrpcError } from '../../errors/grpc.js';
import { checkToken, mapOf, unary, type CallGuard, type UnaryHandler } from './handler.js';

type GetRequest = { store_name: string; keys: string[]; metadata: Record<string, string> };

/** Configuration RPCs under both their stable and Alpha1 names. */
export function configurationHandlers(configuration: ConfigurationApi, guard: CallGuard): Record<string, UnaryHandler | ((call: never) => void)> {
  const get = unary(guard, async (r: GetRequest) => ({ items: await configuration.get(r.store_name, r.keys, mapOf(r.metadata)) }));
  // Server streaming: the first message carries only the id, then each change; ending the stream unsubscribes.
  const subscribe = (call: ServerWritableStream<GetRequest, unknown>) => {
    const denied = checkToken(guard, call.metadata);
    if (denied) return call.emit('error', denied);
    const r = call.request;
    configuration.subscribe(r.store_name, r.keys, mapOf(r.metadata), (id, items) => call.write({ id, items })).then(
      (id) => {
        call.write({ id, items: {} });
        call.once('cancelled', () => void configuration.unsubscribe(r.store_name, id).catch(() => undefined));
      },
      (err: unknown) => call.emit('error', toGrpcError(err)),
    );
  };
  const unsubscribe = unary(guard, async (r: { store_name: string; id: string }) => {
    try {
      await configuration.unsubscribe(r.store_name, r.id);
      return { ok: true, message: '' };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  });
  return {
    GetConfiguration: get,
    GetConfigurationAlpha1: get,
    SubscribeConfiguration: subscribe as (call: never) => void,
    SubscribeConfigurationAlpha1: subscribe as (call: never) => void,
    UnsubscribeConfiguration: unsubscribe,
    UnsubscribeConfigurationAlpha1: unsubscribe,
  };
}
