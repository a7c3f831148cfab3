import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as GrpcServer, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** A span as the tests compare them, whichever format carried it. */
export interface ReceivedSpan {
  format: 'otlp' | 'zipkin';
  service: string;
  traceId: string;
  spanId: string;
  parentId?: string;
  name: string;
  kind: 'SERVER' | 'CLIENT' | 'OTHER';
  attributes: Record<string, string>;
  error?: string;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number; message?: string };
}
interface OtlpBody {
  resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> }; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
}
interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const OTLP_KINDS: Record<number, ReceivedSpan['kind']> = { 2: 'SERVER', 3: 'CLIENT' };
const valueOf = (v: OtlpValue) => String(v.stringValue ?? v.intValue ?? v.boolValue ?? '');

/**
 * One loopback server playing both collectors: OTLP/HTTP JSON on POST /v1/traces and Zipkin v2
 * JSON on POST /api/v2/spans. Every span received is kept, in arrival order.
 */
export async function startSpanReceiver(): Promise<{ url: string; host: string; spans: ReceivedSpan[]; requests: number; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const state = { requests: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    state.requests++;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown;
    if (req.url === '/v1/traces') spans.push(...fromOtlp(body as OtlpBody));
    else if (req.url === '/api/v2/spans') spans.push(...fromZipkin(body as ZipkinSpan[]));
    res.writeHead(req.url === '/v1/traces' ? 200 : 202, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}`,
    host,
    spans,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function fromOtlp(body: OtlpBody): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const service = valueOf(rs.resource.attributes.find((a) => a.key === 'service.name')?.value ?? {});
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans) {
        out.push({
          format: 'otlp',
          service,
          traceId: s.traceId,
          spanId: s.spanId,
          parentId: s.parentSpanId || undefined,
          name: s.name,
          kind: OTLP_KINDS[s.kind] ?? 'OTHER',
          attributes: { ...Object.fromEntries((s.attributes ?? []).map((a) => [a.key, valueOf(a.value)])), 'otel.scope.name': ss.scope.name },
          error: s.status?.code === 2 ? (s.status.message ?? '') : undefined,
        });
      }
    }
  }
  return out;
}

function fromZipkin(body: ZipkinSpan[]): ReceivedSpan[] {
  return body.map((s) => {
    const { error, 'otel.status_code': status, ...attributes } = s.tags ?? {};
    return {
      format: 'zipkin',
      service: s.localEndpoint?.serviceName ?? '',
      traceId: s.traceId,
      spanId: s.id,
      parentId: s.parentId,
      name: s.name,
      kind: s.kind === 'SERVER' || s.kind === 'CLIENT' ? s.kind : 'OTHER',
      attributes,
      error: status === 'ERROR' ? (error ?? '') : undefined,
    };
  });
}

// The part of OTLP's ExportTraceServiceRequest the tests read (field numbers as in opentelemetry-proto).
const OTLP_PROTO = protobuf.parse(`syntax = "proto3";
message AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Scope { string name = 1; }
message Status { string message = 2; int32 code = 3; }
message Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6; repeated KeyValue attributes = 9; Status status = 15; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }`, { keepCase: true }).root.lookupType('ExportTraceServiceRequest');

/** An OTLP/gRPC collector on loopback: TraceService/Export, decoded into the same spans as OTLP/HTTP JSON. */
export async function startOtlpGrpcReceiver(): Promise<{ host: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server = new GrpcServer();
  const path = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
  server.addService(
    { Export: { path, requestStream: false, responseStream: false, requestDeserialize: (b: Buffer) => b, requestSerialize: (b: Buffer) => b, responseSerialize: () => Buffer.alloc(0), responseDeserialize: (b: Buffer) => b, originalName: 'Export' } },
    {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
        const body = OTLP_PROTO.toObject(OTLP_PROTO.decode(call.request), { bytes: String, longs: String, defaults: false }) as Record<string, unknown>;
        spans.push(...fromOtlp(asOtlpJson(body)));
        cb(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { host: `127.0.0.1:${port}`, spans, close: () => new Promise<void>((r) => server.tryShutdown(() => r())) };
}

/** protobufjs's decoded object (snake_case, ids in base64) in the shape of OTLP JSON (camelCase, ids in hex). */
function asOtlpJson(body: Record<string, unknown>): OtlpBody {
  const hex = (b64: unknown) => (typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('hex') : '');
  const kvs = (list: unknown) => ((list as Array<{ key: string; value?: Record<string, unknown> }>) ?? []).map((kv) => ({ key: kv.key, value: { stringValue: kv.value?.string_value as string | undefined, intValue: kv.value?.int_value as string | undefined, boolValue: kv.value?.bool_value as boolean | undefined } }));
  type Raw = { resource?: { attributes?: unknown }; scope_spans?: Array<{ scope?: { name?: string }; spans?: Array<Record<string, unknown>> }> };
  return {
    resourceSpans: ((body.resource_spans as Raw[]) ?? []).map((rs) => ({
      resource: { attributes: kvs(rs.resource?.attributes) },
      scopeSpans: (rs.scope_spans ?? []).map((ss) => ({
        scope: { name: ss.scope?.name ?? '' },
        spans: (ss.spans ?? []).map((sp) => ({
          traceId: hex(sp.trace_id),
          spanId: hex(sp.span_id),
          parentSpanId: hex(sp.parent_span_id),
          name: String(sp.name ?? ''),
          kind: Number(sp.kind ?? 0),
          attributes: kvs(sp.attributes),
          status: sp.status as { code?: number; message?: string } | undefined,
        })),
      })),
    })),
  };
}

/** The spans daprd 1.17 sent for the same calls (fixtures/daprd-spans.json), by case. */
export interface DaprdSpan {
  case: string;
  service: string;
  name: string;
  kind: string;
  parent: string | null;
  tags: Record<string, string>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done` holds or the time is up (bounded); returns the last value. */
export async function waitFor<T>(probe: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await sleep(100);
    value = await probe();
  }
  return value;
}
