// The few places requests cross the sidecar, each continuing the caller's trace with a span of its own
// and passing that span on: transports call these, and stay free of tracing logic.
import { Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http2';
import type { Headers, InvokeRequest, InvokeResponse } from '../core/invocation/types.js';
import { formatGrpcTraceBin, parseGrpcTraceBin, parseTraceparent, type TraceContext } from './tracing-context.js';
import { tracer, type Span } from './tracing.js';
import { callLocalSpan, deliverySpan, grpcApiSpan, httpApiSpan, httpStatusError, inputBindingSpan } from './tracing-spans.js';

function first(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/**
 * The HTTP API: a span per request (health checks aside). Its `traceparent` replaces the caller's
 * on the request, so what the request does next (invocation, publish) continues from it, and is the
 * response's unless a handler answers with its own (invocation relays the app's). One callback hook:
 * no promise and no further hook per request; a recorded span ends when the response is written.
 */
export function traceHttpApi(app: FastifyInstance): void {
  app.addHook('onRequest', (req, reply, done) => {
    if (tracer.enabled && !req.url.startsWith('/v1.0/healthz')) {
      const parent = parseTraceparent(first(req.headers.traceparent));
      const span = tracer.start(parent, first(req.headers.tracestate), () => httpApiSpan(req.method, req.url, { address: req.socket.remoteAddress, port: req.socket.remotePort }));
      req.headers.traceparent = span.traceparent;
      reply.header('traceparent', span.traceparent);
      if (span.recording) {
        const res = reply.raw;
        res.once('close', () => {
          span.setAttribute('dapr.status_code', String(res.statusCode));
          span.end(httpStatusError(res.statusCode, res.statusMessage));
        });
      }
    }
    done();
  });
}

/** The caller's trace context from gRPC metadata, or from the raw HTTP/2 headers of a call served without grpc-js. */
function grpcParent(md: Metadata | IncomingHttpHeaders): TraceContext | undefined {
  if (md instanceof Metadata) return parseTraceparent(String(md.get('traceparent')[0] ?? '')) ?? parseGrpcTraceBin(md.get('grpc-trace-bin')[0] as Buffer | undefined);
  const bin = first(md['grpc-trace-bin']);
  return parseTraceparent(first(md.traceparent)) ?? parseGrpcTraceBin(bin ? Buffer.from(bin, 'base64') : undefined);
}

/**
 * A unary RPC of the gRPC API: the span's context replaces the caller's in the metadata handlers
 * read, and goes back as `grpc-trace-bin` on every RPC but InvokeService (as daprd does).
 */
export function traceGrpcApi<Req, Res>(rpc: string, handler: (call: ServerUnaryCall<Req, Res>, cb: sendUnaryData<Res>) => void) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    if (!tracer.enabled) return handler(call, callback);
    const md = call.metadata;
    const span = tracer.start(grpcParent(md), String(md.get('tracestate')[0] ?? ''), () => grpcApiSpan(rpc, call.request));
    md.set('traceparent', span.traceparent);
    md.remove('grpc-trace-bin');
    if (rpc !== 'InvokeService') {
      const out = new Metadata();
      out.set('grpc-trace-bin', formatGrpcTraceBin(span.context));
      call.sendMetadata(out);
    }
    handler(call, (err, value, trailer, flags) => {
      span.end(err ? (err.details ?? ('message' in err ? err.message : undefined) ?? 'error') : undefined);
      callback(err, value, trailer, flags);
    });
  };
}

/** An invocation from another sidecar, for our app: the callee's SERVER span, passed on to the app. */
export async function traceCallLocal(api: string, md: Metadata | IncomingHttpHeaders, req: InvokeRequest, run: () => Promise<InvokeResponse>): Promise<InvokeResponse> {
  if (!tracer.enabled) return run();
  const parent = grpcParent(md) ?? parseTraceparent(req.headers.traceparent?.[0]);
  const span = tracer.start(parent, req.headers.tracestate?.[0] ?? '', () => callLocalSpan(req.headers['dapr-callee-app-id']?.[0] ?? '', req.method, api));
  req.headers.traceparent = [span.traceparent];
  return span.recording ? within(span, run) : run();
}

/** A pub/sub delivery: continues the trace of the publish (the event's `traceparent`); the app gets the delivery span. */
export async function traceDelivery<T>(topic: string, event: Record<string, unknown>, headers: Record<string, string>, run: () => Promise<T>): Promise<T> {
  if (!tracer.enabled) return run();
  const parent = parseTraceparent(typeof event.traceparent === 'string' ? event.traceparent : typeof event.traceid === 'string' ? event.traceid : undefined);
  const span = tracer.start(parent, typeof event.tracestate === 'string' ? event.tracestate : '', () => deliverySpan(topic));
  headers.traceparent = span.traceparent;
  return span.recording ? within(span, run) : run();
}

/** An input binding event for the app: a span continuing the event's `traceparent` when the binding carried one. */
export async function traceInputBinding<T>(name: string, route: string, metadata: Record<string, string>, headers: Record<string, string>, run: () => Promise<T>): Promise<T> {
  if (!tracer.enabled) return run();
  const span = tracer.start(parseTraceparent(metadata.traceparent), metadata.tracestate ?? '', () => inputBindingSpan(name, route));
  headers.traceparent = span.traceparent;
  return span.recording ? within(span, run) : run();
}

/** Runs `run` as the span's work: the span ends with it, marked failed when it throws. */
async function within<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    const res = await run();
    span.end();
    return res;
  } catch (err) {
    span.end(err instanceof Error ? err.message : String(err));
    throw err;
  }
}

/** What daprd adds to an output binding's request metadata: the API span's context (bindings.http sends it on as headers). */
export function bindingTraceMetadata(traceparent: string | undefined, tracestate: string | undefined): Record<string, string> {
  if (!tracer.enabled || !traceparent) return {};
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * The context of an invocation to another sidecar, also as gRPC metadata of the internal call: where
 * daprd's internal server looks for its parent span. A value that is not a valid header is left out.
 */
export function internalCallTraceMetadata(headers: Headers): Record<string, string> {
  const traceparent = headers.traceparent?.[0];
  if (!traceparent || !parseTraceparent(traceparent)) return {};
  const tracestate = headers.tracestate?.[0];
  return tracestate && /^[\x20-\x7e]*$/.test(tracestate) ? { traceparent, tracestate } : { traceparent };
}
