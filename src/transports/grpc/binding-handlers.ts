import type { BindingsApi } from '../../core/bindings-api.js';
import { mapOf, unary, type CallGuard, type UnaryHandler } from './handler.js';
import { bindingTraceMetadata } from '../../observability/tracing-hooks.js';

/** InvokeBinding: the data bytes as they are, on the output bindings core. */
export function bindingHandlers(bindings: BindingsApi, guard: CallGuard): Record<string, UnaryHandler> {
  return {
    InvokeBinding: unary(guard, async (r: { name: string; data: Buffer; metadata: Record<string, string>; operation: string }, md) => {
      const metadata = { ...mapOf(r.metadata), ...bindingTraceMetadata(String(md.get('traceparent')[0] ?? ''), String(md.get('tracestate')[0] ?? '')) };
      const res = await bindings.invoke(r.name, { operation: r.operation, data: r.data ?? Buffer.alloc(0), metadata });
      return { data: res.data ?? Buffer.alloc(0), metadata: res.metadata ?? {} };
    }),
  };
}
