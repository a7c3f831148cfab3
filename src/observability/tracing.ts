import type { Logger } from 'pino';
import { DEFAULT_SAMPLING_RATE, type TracingSettings } from '../config/tracing-spec.js';
import { formatTraceparent, randomHex, type TraceContext } from './tracing-context.js';

/** A span as daprd names it: its name, kind and attributes (see tracing-spans.ts). */
export interface SpanDescription {
  name: string;
  kind: 'server' | 'client';
  attributes: Record<string, string>;
}

/** A span the exporter records (the OpenTelemetry SDK's, behind tracing-sdk.ts). */
export interface RecordedSpan {
  traceId: string;
  spanId: string;
  setAttribute(key: string, value: string): void;
  end(error?: string): void;
}

export interface SpanRecorder {
  start(desc: SpanDescription, parent: TraceContext | undefined): RecordedSpan;
  shutdown(): Promise<void>;
}

/** One hop of a request: the context it passes on (and answers with), recorded when sampled. */
export interface Span {
  readonly context: TraceContext;
  /** This span as a `traceparent` value: sent to the next hop and on the response. */
  readonly traceparent: string;
  /** The caller's `tracestate`, passed on unchanged. */
  readonly tracestate: string;
  /** True when the span goes to an exporter: attributes are worth computing. */
  readonly recording: boolean;
  setAttribute(key: string, value: string): void;
  /** Ends the span; an error message marks it failed. */
  end(error?: string): void;
}

/** An unsampled span, or a sampled one with no exporter: ids only, nothing recorded. */
class PassingSpan implements Span {
  readonly recording = false;
  #traceparent?: string;
  constructor(
    readonly context: TraceContext,
    readonly tracestate: string,
  ) {}
  get traceparent(): string {
    return (this.#traceparent ??= formatTraceparent(this.context));
  }
  setAttribute(): void {}
  end(): void {}
}

class ExportedSpan implements Span {
  readonly recording = true;
  readonly context: TraceContext;
  readonly traceparent: string;
  constructor(
    private readonly span: RecordedSpan,
    readonly tracestate: string,
  ) {
    this.context = { traceId: span.traceId, spanId: span.spanId, sampled: true };
    this.traceparent = formatTraceparent(this.context);
  }
  setAttribute(key: string, value: string): void {
    this.span.setAttribute(key, value);
  }
  end(error?: string): void {
    this.span.end(error);
  }
}

/**
 * Sampling as daprd's sampler decides (parent-based, a ratio for new traces) made before any span
 * object exists: unsampled requests cost two random ids and a string, and the OpenTelemetry SDK is
 * loaded only when an exporter is configured.
 */
export class Tracer {
  #rate = DEFAULT_SAMPLING_RATE;
  #recorder?: SpanRecorder;

  /** False with sampling rate "0": daprd then neither creates spans nor answers with `traceparent`. */
  get enabled(): boolean {
    return this.#rate > 0;
  }

  /** Starts the span of one hop; `describe` runs only for spans that are recorded. */
  start(parent: TraceContext | undefined, tracestate: string, describe: () => SpanDescription): Span {
    const sampled = parent ? parent.sampled : this.#rate >= 1 || Math.random() < this.#rate;
    if (sampled && this.#recorder) return new ExportedSpan(this.#recorder.start(describe(), parent), tracestate);
    return new PassingSpan({ traceId: parent?.traceId ?? randomHex(16), spanId: randomHex(8), sampled }, tracestate);
  }

  /** Applies the resolved settings; loads the SDK when spans are exported. */
  async configure(settings: TracingSettings, appId: string, logger: Logger): Promise<void> {
    this.#rate = settings.samplingRate;
    const exported = settings.stdout || settings.zipkinUrl !== undefined || settings.otel !== undefined;
    if (settings.samplingRate > 0 && exported) {
      const { createRecorder } = await import('./tracing-sdk.js');
      this.#recorder = createRecorder(settings, appId);
      logger.info({ samplingRate: settings.samplingRate, stdout: settings.stdout, zipkin: settings.zipkinUrl, otel: settings.otel?.url, otelProtocol: settings.otel?.protocol }, 'tracing enabled');
    }
  }

  /** Sends the spans still batched; called once when the sidecar stops. */
  async shutdown(): Promise<void> {
    const recorder = this.#recorder;
    this.#recorder = undefined;
    await recorder?.shutdown();
  }
}

/** The sidecar's tracer: one per process, configured from the Configuration at startup. */
export const tracer = new Tracer();
