import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { packageFile } from '../../util/package-files.js';

const PROTO_ROOT = packageFile('proto');

/**
 * Our .proto files, loaded once. Field names stay snake_case as written (keepCase), 64-bit numbers
 * become strings, enums their names, and absent message fields null (so presence can be told).
 */
export const LOADER_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] };

let definition: PackageDefinition | undefined;

export function daprPackageDefinition(): PackageDefinition {
  definition ??= loadSync(
    [
      'dapr/proto/runtime/v1/dapr.proto',
      'dapr/proto/runtime/v1/appcallback.proto',
      'dapr/proto/internals/v1/service_invocation.proto',
      'google/rpc/status.proto',
      'google/rpc/error_details.proto',
    ],
    LOADER_OPTIONS,
  );
  return definition;
}

/** A service constructor by its full name, e.g. `dapr.proto.runtime.v1.Dapr`. */
export function serviceByName(fullName: string): ServiceClientConstructor {
  let node: GrpcObject | ServiceClientConstructor = loadPackageDefinition(daprPackageDefinition());
  for (const part of fullName.split('.')) node = (node as GrpcObject)[part] as GrpcObject | ServiceClientConstructor;
  return node as ServiceClientConstructor;
}
