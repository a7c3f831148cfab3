import type { IncomingHttpHeaders } from 'node:http2';
import { Server, type Metadata, type MethodDefinition, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData, type ServiceError } from '@grpc/grpc-js';
import type { InvocationApi } from '../../core/invocation/invocation-api.js';
import type { Caller, Headers, InvokeRequest, InvokeResponse } from '../../core/invocation/types.js';
import { callerOf, type PeerAuth, type PeerSecurity } from './peer-security.js';
import { bufferBody, readAll } from '../../util/body-streams.js';
import { toGrpcError } from '../../errors/grpc.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import type { Logger } from 'pino';
import { fromListMap, payloadChunks, toListMap, type ProtoInvokeRequest, type ProtoInvokeResponse, type ProtoPayload } from './internal-messages.js';
import { serviceByName } from './protos.js';
import { grpcOptions } from './channel-options.js';
import { traceCallLocal } from '../../observability/tracing-hooks.js';
import { serveUnaryDirectly } from './direct-unary.js';
import { GrpcCode } from '../../errors/grpc-code.js';

const CALL_LOCAL_STREAM = '/dapr.proto.internals.v1.ServiceInvocation/CallLocalStream';
const CALL_LOCAL = '/dapr.proto.internals.v1.ServiceInvocation/CallLocal';

type StreamIn = { request: ProtoInvokeRequest | null; payload: ProtoPayload | null };
type StreamOut = { response?: ProtoInvokeResponse; payload?: { data: Buffer; seq: number } };

/**
 * dapr.proto.internals.v1.ServiceInvocation on the internal port: calls from other sidecars (Mecha or
 * daprd) for our app. Decodes, hands the call to the invocation core, streams the answer back.
 */
export function buildInternalServer(invocation: InvocationApi, maxMessageBytes: number, logger: Logger, security?: PeerSecurity): Server {
  const server = new Server(grpcOptions(maxMessageBytes));
  const svc = serviceByName('dapr.proto.internals.v1.ServiceInvocation');
  const callerOfCall: CallerOf = (auth, headers) => callerOf(security, auth, (name) => headers[name]?.[0]);
  // The caller is told only that the sidecar failed; the log gets the cause.
  const failure = (err: unknown) => {
    const e = SidecarError.from(err);
    if (e.isUnexpected) logger.error({ err: e.cause }, 'unexpected error in a call from another sidecar');
    return toGrpcError(e);
  };
  const unary = (request: ProtoInvokeRequest, metadata: Metadata | IncomingHttpHeaders, auth: PeerAuth) => callLocal(invocation, request, metadata, auth, callerOfCall);
  server.addService(svc.service, {
    CallLocalStream: (call: ServerDuplexStream<StreamIn, StreamOut>) => void callLocalStream(invocation, call, callerOfCall, failure),
    CallLocal: (call: ServerUnaryCall<ProtoInvokeRequest, ProtoInvokeResponse>, cb: sendUnaryData<ProtoInvokeResponse>) =>
      void unary(call.request, call.metadata, call.getAuthContext()).then((res) => cb(null, res), (err) => cb(failure(err) as ServiceError)),
  });
  // The calls Mecha sidecars make (a body in memory): served without grpc-js's per-call machinery.
  const method = svc.service.CallLocal as MethodDefinition<ProtoInvokeRequest, ProtoInvokeResponse>;
  serveUnaryDirectly(
    server,
    CALL_LOCAL,
    async (call) => {
      let request: ProtoInvokeRequest;
      try {
        request = method.requestDeserialize(call.message);
      } catch {
        throw { code: GrpcCode.INTERNAL, details: 'Error deserializing request' }; // grpc-js's words
      }
      try {
        return method.responseSerialize(await unary(request, call.headers, call.auth));
      } catch (err) {
        throw failure(err);
      }
    },
    maxMessageBytes,
  );
  return server;
}

type CallerOf = (auth: PeerAuth, headers: Headers) => Caller;
type Failure = (err: unknown) => Partial<ServiceError>;

async function callLocalStream(invocation: InvocationApi, call: ServerDuplexStream<StreamIn, StreamOut>, callerOf: CallerOf, failure: Failure): Promise<void> {
  try {
    // Finishing the request side must not destroy the stream: the response still goes out on it.
    const iterator = call.iterator({ destroyOnReturn: false }) as AsyncIterator<StreamIn>;
    const first = await iterator.next();
    if (first.done || !first.value.request?.message) throw new Error('the leading message carries no request');
    const rest = { [Symbol.asyncIterator]: () => iterator };
    const body = payloadChunks(first.value, rest);
    const req = decode(first.value.request, body);
    const caller = callerOf(call.getAuthContext(), req.headers);
    const res = await traceCallLocal(CALL_LOCAL_STREAM, call.metadata, req, () => invocation.handleInbound(req, caller));
    call.write({ response: encodeHead(res) });
    let seq = 0;
    for await (const chunk of res.body) {
      if (!call.write({ payload: { data: chunk, seq: seq++ } })) await new Promise((r) => call.once('drain', r));
    }
    call.end();
  } catch (err) {
    call.emit('error', failure(err));
  }
}

async function callLocal(invocation: InvocationApi, request: ProtoInvokeRequest, metadata: Metadata | IncomingHttpHeaders, auth: PeerAuth, callerOf: CallerOf): Promise<ProtoInvokeResponse> {
  const data = request.message?.data?.value ?? Buffer.alloc(0);
  const req = decode(request, bufferBody(data), data);
  const caller = callerOf(auth, req.headers);
  const res = await traceCallLocal(CALL_LOCAL, metadata, req, () => invocation.handleInbound(req, caller));
  const head = encodeHead(res);
  head.message = { content_type: head.message?.content_type ?? '', data: { type_url: '', value: res.buffered ?? (await readAll(res.body)) } };
  return head;
}

function decode(r: ProtoInvokeRequest, body: AsyncIterable<Buffer>, buffered?: Buffer): InvokeRequest {
  const headers = fromListMap(r.metadata);
  const message = r.message!;
  if (message.content_type && !headers['content-type']) headers['content-type'] = [message.content_type];
  const verb = message.http_extension ? message.http_extension.verb || 'NONE' : '';
  return { method: message.method, verb, query: message.http_extension?.querystring ?? '', headers, body, buffered };
}

function encodeHead(res: InvokeResponse): ProtoInvokeResponse {
  return {
    status: { code: res.status, message: '' },
    headers: toListMap(res.headers),
    message: { content_type: res.headers['content-type']?.[0] ?? '', data: { type_url: '', value: Buffer.alloc(0) } },
  };
}
