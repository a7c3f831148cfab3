import type { Metadata, MethodDefinition, ServiceDefinition, ServiceError, UntypedServiceImplementation } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { UNSERVED_RPCS, type UnservedContext, type UnservedInput, type UnservedRpc } from '../../core/unserved-apis.js';
import { Errors } from '../../errors/codes.js';
import { toGrpcError } from '../../errors/grpc.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import { checkToken, type CallGuard } from './handler.js';

const raw = (b: Buffer) => b;

interface BidiCall {
  metadata: Metadata;
  once(event: 'data' | 'end', listener: (message?: unknown) => void): void;
  emit(event: 'error', err: unknown): void;
}

/** The last length-delimited field `field` of a protobuf message, undefined when absent. */
function lengthDelimited(message: Uint8Array, field: number): Uint8Array | undefined {
  const r = protobuf.Reader.create(message);
  let found: Uint8Array | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if ((tag & 7) === 2) {
      const bytes = r.bytes();
      if (tag >>> 3 === field) found = bytes;
    } else r.skipType(tag & 7);
  }
  return found;
}

/** The string fields an unserved RPC's answer depends on, read from its (otherwise opaque) request. */
function decodeInput(rpc: UnservedRpc, message: Buffer): UnservedInput {
  const fields: Record<string, string | undefined> = {};
  const present = new Set<string>();
  for (const [name, path] of Object.entries(rpc.fields ?? {})) {
    let value: Uint8Array | undefined = message;
    for (const n of path) value = value && lengthDelimited(value, n);
    if (value === undefined) continue;
    present.add(name);
    fields[name] = Buffer.from(value).toString('utf8');
  }
  return { fields, present };
}

/**
 * A service definition for the RPCs of building blocks this sidecar does not serve (answered from the
 * core table as daprd answers them without placement, scheduler or components), plus RPCs declared in
 * our protos but not wired to a handler (UNIMPLEMENTED, naming the RPC).
 */
export function unimplementedService(
  notWired: Record<string, MethodDefinition<unknown, unknown>>,
  ctx: UnservedContext,
  guard: CallGuard,
): { definition: ServiceDefinition; implementation: UntypedServiceImplementation } {
  const notServed: UnservedRpc[] = Object.keys(notWired).map((name) => ({
    name,
    bidi: notWired[name].requestStream || notWired[name].responseStream,
    answer: () => new SidecarError(Errors.ApiUnimplemented, `${name} is not implemented by this sidecar`),
  }));
  const definition: Record<string, unknown> = {};
  const implementation: Record<string, unknown> = {};
  for (const rpc of [...UNSERVED_RPCS, ...notServed]) {
    const stream = Boolean(rpc.bidi);
    definition[rpc.name] = notWired[rpc.name] ?? {
      path: `/dapr.proto.runtime.v1.Dapr/${rpc.name}`,
      requestStream: stream,
      responseStream: stream,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
    };
    const answer = (metadata: Metadata, message: unknown): Partial<ServiceError> =>
      checkToken(guard, metadata) ?? toGrpcError(rpc.answer(Buffer.isBuffer(message) ? decodeInput(rpc, message) : { fields: {} }, ctx));
    implementation[rpc.name] = stream
      ? (call: BidiCall) => {
          let answered = false;
          const reply = (first?: unknown) => {
            if (answered) return;
            answered = true;
            call.emit('error', answer(call.metadata, first));
          };
          call.once('data', reply);
          call.once('end', () => reply());
        }
      : (call: { metadata: Metadata; request: unknown }, callback: (err: unknown) => void) => callback(answer(call.metadata, call.request));
  }
  return { definition: definition as ServiceDefinition, implementation: implementation as UntypedServiceImplementation };
}
