import { credentials, Metadata, type Client, type ClientDuplexStream, type MethodDefinition } from '@grpc/grpc-js';
import type { InvokeRequest, InvokeResponse, RemoteInvoker } from '../../core/invocation/types.js';
import { fromListMap, payloadChunks, toListMap, type ProtoInvokeResponse, type ProtoPayload } from './internal-messages.js';
import { serviceByName } from './protos.js';
import { bufferBody } from '../../util/body-streams.js';
import { UnaryChannel } from './unary-channel.js';
import type { PeerSecurity, PeerTarget } from './peer-security.js';
import { grpcOptions } from './channel-options.js';
import { internalCallTraceMetadata } from '../../observability/tracing-hooks.js';

const SERVICE = 'dapr.proto.internals.v1.ServiceInvocation';
let callLocalMethod: MethodDefinition<object, ProtoInvokeResponse> | undefined;
const callLocal = () => (callLocalMethod ??= serviceByName(SERVICE).service.CallLocal as MethodDefinition<object, ProtoInvokeResponse>);

type StreamOut = { request?: object; payload?: { data: Buffer; seq: number } };
type StreamIn = { response: ProtoInvokeResponse | null; payload: ProtoPayload | null };
type InvocationClient = Client & { CallLocalStream(md: Metadata): ClientDuplexStream<StreamOut, StreamIn> };

/**
 * Calls other sidecars' internal API: a body already in memory goes in one unary CallLocal on our own
 * lean channel (a stream costs several times more per call), others stream through CallLocalStream
 * with grpc-js. Each keeps one pooled HTTP/2 connection per address.
 */
export class InternalInvoker implements RemoteInvoker {
  readonly #clients = new Map<string, InvocationClient>();
  readonly #channels = new Map<string, UnaryChannel>();
  #security?: PeerSecurity;

  constructor(private readonly maxMessageBytes: number) {}

  /** mTLS from now on: every call checks that the sidecar answering is the target app's. */
  secure(security: PeerSecurity): void {
    this.close();
    this.#security = security;
  }

  async invoke(address: string, target: PeerTarget, req: InvokeRequest, buffered?: Buffer): Promise<InvokeResponse> {
    if (buffered) return this.#unary(address, target, req, buffered);
    const md = new Metadata();
    for (const [k, v] of Object.entries(internalCallTraceMetadata(req.headers))) md.set(k, v);
    const call = withoutCallerStack(() => this.#client(address, target).CallLocalStream(md));
    const responses = call.iterator({ destroyOnReturn: false }) as AsyncIterator<StreamIn>;
    const firstResponse = responses.next(); // subscribe before writing so an early error is not lost
    firstResponse.catch(() => undefined);
    call.write({ request: requestOf(req, Buffer.alloc(0)) });
    let seq = 0;
    for await (const chunk of req.body) {
      if (!call.write({ payload: { data: chunk, seq: seq++ } })) await new Promise((r) => call.once('drain', r));
    }
    call.end();
    const head = await firstResponse;
    if (head.done || !head.value.response?.status) throw new Error('response does not contain the required fields in the leading chunk');
    const rest = { [Symbol.asyncIterator]: () => responses };
    return {
      status: head.value.response.status.code,
      headers: fromListMap(head.value.response.headers),
      body: payloadChunks(head.value, rest),
    };
  }

  async #unary(address: string, target: PeerTarget, req: InvokeRequest, body: Buffer): Promise<InvokeResponse> {
    const security = this.#security;
    const key = security ? `${address} ${target.appId}.${target.namespace}` : address;
    let channel = this.#channels.get(key);
    if (!channel) this.#channels.set(key, (channel = new UnaryChannel(address, this.maxMessageBytes, security && (() => security.session(target)))));
    const method = callLocal();
    const res = method.responseDeserialize(await channel.call(method.path, method.requestSerialize(requestOf(req, body)), internalCallTraceMetadata(req.headers)));
    if (!res.status) throw new Error('response does not contain the required fields');
    const data = res.message?.data?.value ?? Buffer.alloc(0);
    return { status: res.status.code, headers: fromListMap(res.headers), body: bufferBody(data), buffered: data };
  }

  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
    for (const c of this.#channels.values()) c.close();
    this.#channels.clear();
  }

  #client(address: string, target: PeerTarget): InvocationClient {
    const key = this.#security ? `${address} ${target.appId}.${target.namespace}` : address;
    let c = this.#clients.get(key);
    if (!c) {
      const secure = this.#security?.channel(target);
      const options = { ...grpcOptions(this.maxMessageBytes), ...secure?.options };
      c = new (serviceByName(SERVICE))(address, secure?.credentials ?? credentials.createInsecure(), options) as unknown as InvocationClient;
      this.#clients.set(key, c);
    }
    return c;
  }
}

function requestOf(req: InvokeRequest, data: Buffer) {
  return {
    ver: 'V1',
    metadata: toListMap(req.headers),
    message: {
      method: req.method,
      data: { type_url: '', value: data },
      content_type: req.headers['content-type']?.[0] ?? '',
      http_extension: req.verb ? { verb: req.verb.toUpperCase(), querystring: req.query } : null,
    },
  };
}

/**
 * grpc-js captures a stack trace on every call, only to decorate a failed call's error; that is ~4% of
 * a caller sidecar's CPU under load, and our errors never show it.
 */
function withoutCallerStack<T>(start: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
