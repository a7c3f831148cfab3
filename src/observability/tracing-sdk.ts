// Loaded only when spans are exported (a sampling rate above 0 and an exporter configured): the
// OpenTelemetry SDK and its exporters cost startup time and memory a sidecar without them never pays.
// The SDK is the 2.x line (3.x needs Node 22.15+); its peer range keeps @opentelemetry/api below 1.10.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { createRequire } from 'node:module';
import type { TracingSettings } from '../config/tracing-spec.js';
import type { RecordedSpan, SpanDescription, SpanRecorder } from './tracing.js';
import type { TraceContext } from './tracing-context.js';

/** daprd's instrumentation scope, which backends show as `otel.scope.name`. */
const SCOPE = 'dapr-diagnostics';

// Exporters load with require (the bundle is CommonJS and cannot import() packages it leaves out), each only when configured.
const load = createRequire(import.meta.url);

export function createRecorder(settings: TracingSettings, appId: string): SpanRecorder {
  const processors: SpanProcessor[] = [];
  // Spans on stdout are for debugging: written as they end rather than batched.
  if (settings.stdout) processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
  if (settings.zipkinUrl) {
    const { ZipkinExporter } = load('@opentelemetry/exporter-zipkin') as typeof import('@opentelemetry/exporter-zipkin');
    processors.push(batched(new ZipkinExporter({ url: settings.zipkinUrl, serviceName: appId })));
  }
  if (settings.otel) processors.push(batched(otlpExporter(settings.otel)));
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': appId }), spanProcessors: processors });
  const tracer = provider.getTracer(SCOPE);
  return {
    start(desc: SpanDescription, parent: TraceContext | undefined): RecordedSpan {
      const ctx = parent ? trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true }) : ROOT_CONTEXT;
      const span = tracer.startSpan(desc.name, { kind: desc.kind === 'server' ? SpanKind.SERVER : SpanKind.CLIENT, attributes: desc.attributes as Attributes }, ctx);
      const { traceId, spanId } = span.spanContext();
      return {
        traceId,
        spanId,
        setAttribute: (key, value) => void span.setAttribute(key, value),
        end(error) {
          if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
          span.end();
        },
      };
    },
    shutdown: () => provider.shutdown(),
  };
}

function batched(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1000 });
}

function otlpExporter(o: NonNullable<TracingSettings['otel']>): SpanExporter {
  const timeoutMillis = o.timeoutMs;
  if (o.protocol === 'http') {
    const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter({ url: o.url, headers: o.headers, timeoutMillis });
  }
  const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
  // The exporter's own grpc-js, not the copy bundled into the CLI: it checks credentials and metadata with instanceof.
  const { credentials, Metadata } = load('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(o.headers)) metadata.set(k, v);
  const channel = o.url.startsWith('https:') ? credentials.createSsl() : credentials.createInsecure();
  return new OTLPTraceExporter({ url: o.url, metadata, credentials: channel, timeoutMillis });
}
