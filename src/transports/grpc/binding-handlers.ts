import type { BindingsApi } from '../../core/bindings-api.js';
import { mapOf, unary, type CallGuard, type UnaryHandler } from './handler.js';

/** InvokeBinding: the data bytes as they are, on the output bindings core. */
export function bindingHandlers(bindings: BindingsApi, guard: CallGuard): Record<string, UnaryHandler> {
  return {
    InvokeBinding: unary(guard, async (r: { name: string; data: Buffer; metadata: Record<string, string>; operation: string }) => {
      const res = await bindings.invoke(r.name, { operation: r.operation, data: r.data ?? Buffer.alloc(0), metadata: mapOf(r.metadata) });
      return { data: res.data ?? Buffer.alloc(0), metadata: res.metadata ?? {} };
    }),
  };
}
