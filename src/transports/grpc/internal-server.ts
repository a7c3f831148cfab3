import { Server, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData, type ServiceError } from '@grpc/grpc-js';
import type { InvocationApi } from '../../core/invocation/invocation-api.js';
import type { Caller, Headers, InvokeRequest, InvokeResponse } from '../../core/invocation/types.js';
import { callerOf, type PeerAuth, type PeerSecurity } from './peer-security.js';
import { bufferBody, readAll } from '../../util/body-streams.js';
import { toGrpcError } from '../../errors/grpc.js';
import { fromListMap, payloadChunks, toListMap, type ProtoInvokeRequest, type ProtoInvokeResponse, type ProtoPayload } from './internal-messages.js';
import { serviceByName } from './protos.js';
import { grpcOptions } from './channel-options.js';
import { traceCallLocal } from '../../observability/tracing-hooks.js';

const CALL_LOCAL_STREAM = '/dapr.proto.internals.v1.ServiceInvocation/CallLocalStream';
const CALL_LOCAL = '/dapr.proto.internals.v1.ServiceInvocation/CallLocal';

type StreamIn = { request: ProtoInvokeRequest | null; payload: ProtoPayload | null };
type StreamOut = { response?: ProtoInvokeResponse; payload?: { data: Buffer; seq: number } };

/**
 * dapr.proto.internals.v1.ServiceInvocation on the internal port: calls from other sidecars (Mecha or
 * daprd) for our app. Decodes, hands the call to the invocation core, streams the answer back.
 */
export function buildInternalServer(invocation: InvocationApi, maxMessageBytes: number, security?: PeerSecurity): Server {
  const server = new Server(grpcOptions(maxMessageBytes));
  const svc = serviceByName('dapr.proto.internals.v1.ServiceInvocation');
  const callerOfCall: CallerOf = (auth, headers) => callerOf(security, auth, (name) => headers[name]?.[0]);
  server.addService(svc.service, {
    CallLocalStream: (call: ServerDuplexStream<StreamIn, StreamOut>) => void callLocalStream(invocation, call, callerOfCall),
    CallLocal: (call: ServerUnaryCall<ProtoInvokeRequest, ProtoInvokeResponse>, cb: sendUnaryData<ProtoInvokeResponse>) => void callLocal(invocation, call, cb, callerOfCall),
  });
  return server;
}

type CallerOf = (auth: PeerAuth, headers: Headers) => Caller;

async function callLocalStream(invocation: InvocationApi, call: ServerDuplexStream<StreamIn, StreamOut>, callerOf: CallerOf): Promise<void> {
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
    call.emit('error', toGrpcError(err));
  }
}

async function callLocal(invocation: InvocationApi, call: ServerUnaryCall<ProtoInvokeRequest, ProtoInvokeResponse>, cb: sendUnaryData<ProtoInvokeResponse>, callerOf: CallerOf): Promise<void> {
  try {
    const data = call.request.message?.data?.value ?? Buffer.alloc(0);
    const req = decode(call.request, bufferBody(data), data);
    const caller = callerOf(call.getAuthContext(), req.headers);
    const res = await traceCallLocal(CALL_LOCAL, call.metadata, req, () => invocation.handleInbound(req, caller));
    const head = encodeHead(res);
    head.message = { content_type: head.message?.content_type ?? '', data: { type_url: '', value: res.buffered ?? (await readAll(res.body)) } };
    cb(null, head);
  } catch (err) {
    cb(toGrpcError(err) as ServiceError);
  }
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
