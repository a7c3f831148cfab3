import { Metadata, type sendUnaryData, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Headers } from '../../core/invocation/types.js';
import type { InvocationApi } from '../../core/invocation/invocation-api.js';
import { appErrorStatus, grpcCodeFromHttpStatus, toGrpcError } from '../../errors/grpc.js';
import { bufferBody, readAll } from '../../util/body-streams.js';
import { checkToken, type CallGuard, type UnaryHandler } from './handler.js';
import type { ProtoInvokeRequest } from './internal-messages.js';

interface InvokeServiceRequest {
  id: string;
  message: ProtoInvokeRequest['message'];
}

/** Metadata that belongs to this gRPC hop, not to the call being relayed. */
const HOP_METADATA = /^(:|grpc-|content-type$|user-agent$|te$|dapr-api-token$)/;

/** InvokeService: the gRPC way into service invocation; the HTTP answer's status travels as `dapr-http-status`. */
export function invokeHandlers(invocation: InvocationApi, guard: CallGuard): Record<string, UnaryHandler> {
  const InvokeService = (call: ServerUnaryCall<InvokeServiceRequest, unknown>, callback: sendUnaryData<unknown>) => {
    const denied = checkToken(guard, call.metadata);
    if (denied) return callback(denied);
    const m = call.request.message;
    const headers: Headers = {};
    for (const [k, v] of Object.entries(call.metadata.getMap())) if (!HOP_METADATA.test(k)) headers[k] = [String(v)];
    if (m?.content_type) headers['content-type'] = [m.content_type];
    const body = m?.data?.value ?? Buffer.alloc(0);
    const verb = m?.http_extension ? m.http_extension.verb || 'NONE' : '';
    invocation
      .invoke(call.request.id, { method: m?.method ?? '', verb, query: m?.http_extension?.querystring ?? '', headers, body: bufferBody(body) }, body)
      .then(async (res) => {
        const data = res.buffered ?? (await readAll(res.body));
        const md = new Metadata();
        md.set('dapr-http-status', String(res.status));
        if (grpcCodeFromHttpStatus(res.status) !== 0) return callback(appErrorStatus(res.status, data.toString('utf8'), md) as ServiceError);
        call.sendMetadata(md);
        callback(null, { data: { type_url: '', value: data }, content_type: res.headers['content-type']?.[0] ?? '' });
      })
      .catch((err: unknown) => callback(toGrpcError(err) as ServiceError));
  };
  return { InvokeService: InvokeService as UnaryHandler };
}
