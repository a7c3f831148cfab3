import type { ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { packageFile } from '../../src/util/package-files.js';
import { daprClient } from '../support/grpc-client.js';
import { shapeOf } from './shape.js';
import type { GrpcAnswer, GrpcCase } from './types.js';

const PROTO_ROOT = packageFile('proto') + '/';
let rpcTypes: protobuf.Root | undefined;

/** google.rpc.Status and its detail messages, to read `grpc-status-details-bin`. */
function statusTypes(): protobuf.Root {
  if (rpcTypes) return rpcTypes;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : PROTO_ROOT + target);
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true }).resolveAll();
  rpcTypes = root;
  return root;
}

/** The rich error details, decoded, each with its type URL. */
function details(err: ServiceError): unknown[] {
  const bin = err.metadata?.get('grpc-status-details-bin')[0];
  if (!Buffer.isBuffer(bin)) return [];
  const root = statusTypes();
  const status = root.lookupType('google.rpc.Status').decode(bin) as unknown as { details: Array<{ type_url: string; value: Uint8Array }> };
  return status.details.map((d) => {
    const typeName = d.type_url.split('/').pop() ?? '';
    const type = root.lookupType(typeName);
    // Defaults on: proto3 cannot tell an empty string from an absent one, so neither can the comparison.
    const decoded = type.toObject(type.decode(d.value), { defaults: true });
    return { '@type': d.type_url, ...decoded };
  });
}

export type Client = ReturnType<typeof daprClient>;
export const grpcClient = daprClient;

/** Runs one case and reduces the answer to its code and shapes. */
export async function runGrpcCase(client: Client, c: GrpcCase): Promise<GrpcAnswer> {
  try {
    if (c.rpc.startsWith('/')) {
      const raw = await client.raw(c.rpc);
      return { code: 0, body: { rawLength: raw.length > 0 ? 'non-empty' : 'empty' } };
    }
    const res = await client.call(c.rpc, c.request, c.metadata ?? {});
    return { code: 0, body: shapeOf(res) };
  } catch (e) {
    const err = e as ServiceError;
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, body: shapeOf({ message: err.details, details: details(err) }) };
  }
}
