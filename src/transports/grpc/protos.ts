import { loadPackageDefinition, type GrpcObject, type MethodDefinition, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import path from 'node:path';
import { packageFile } from '../../util/package-files.js';

const PROTO_ROOT = packageFile('proto');
const PROTO_FILES = [
  'dapr/proto/runtime/v1/dapr.proto',
  'dapr/proto/runtime/v1/appcallback.proto',
  'dapr/proto/internals/v1/service_invocation.proto',
];

/**
 * How messages look in handlers, as @grpc/proto-loader would give them: field names as written
 * (snake_case), 64-bit numbers as strings, enums as names, absent message fields null (so presence
 * can be told), set oneof members named in a virtual field.
 */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, oneofs: true };

let services: Record<string, ServiceDefinition> | undefined;

/** The parsed .proto files as protobufjs JSON: the build puts it into the bundle (scripts/bundle.mjs). */
declare const MECHA_PROTO_DESCRIPTOR: string | undefined;

/** Our .proto files parsed (imports under proto/; protobufjs serves google/protobuf/* from its bundled copies). */
export function parseProtoFiles(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target));
  return root.loadSync(PROTO_FILES, { keepCase: true });
}

/** From the bundle's descriptor when there is one: a fraction of the time parsing the .proto files takes at start. */
function loadRoot(): protobuf.NamespaceBase {
  const root = typeof MECHA_PROTO_DESCRIPTOR === 'string' ? protobuf.Root.fromJSON(JSON.parse(MECHA_PROTO_DESCRIPTOR) as protobuf.INamespace) : parseProtoFiles();
  return root.resolveAll();
}

function methodDefinition(service: protobuf.Service, method: protobuf.Method): MethodDefinition<object, object> {
  const request = method.resolvedRequestType as protobuf.Type;
  const response = method.resolvedResponseType as protobuf.Type;
  // protobufjs writes Buffers under Node.
  const serialize = (t: protobuf.Type) => (value: object) => t.encode(t.fromObject(value)).finish() as Buffer;
  const deserialize = (t: protobuf.Type) => (bytes: Buffer) => t.toObject(t.decode(bytes), TO_OBJECT);
  return {
    path: `/${service.fullName.slice(1)}/${method.name}`,
    requestStream: Boolean(method.requestStream),
    responseStream: Boolean(method.responseStream),
    requestSerialize: serialize(request),
    requestDeserialize: deserialize(request),
    responseSerialize: serialize(response),
    responseDeserialize: deserialize(response),
    originalName: method.name[0].toLowerCase() + method.name.slice(1),
  };
}

/**
 * The services of the sidecar's .proto files as grpc-js definitions, built once. Only services: unlike
 * proto-loader we build no descriptors for reflection, which halves the time this takes at startup.
 */
function serviceDefinitions(): Record<string, ServiceDefinition> {
  services ??= servicesIn(loadRoot());
  return services;
}

/** The services of the given .proto files under proto/, for what only some commands need (e.g. Sentry's CA). */
export function servicesOf(files: readonly string[]): Record<string, ServiceDefinition> {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target));
  return servicesIn(root.loadSync(files as string[], { keepCase: true }).resolveAll());
}

function servicesIn(root: protobuf.NamespaceBase): Record<string, ServiceDefinition> {
  const found: Record<string, ServiceDefinition> = {};
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Service) {
        found[child.fullName.slice(1)] = Object.fromEntries(child.methodsArray.map((m) => [m.name, methodDefinition(child, m)]));
      } else if (child instanceof protobuf.Namespace) visit(child);
    }
  };
  visit(root);
  return found;
}

/** A service constructor by its full name, e.g. `dapr.proto.runtime.v1.Dapr`. */
export function serviceByName(fullName: string): ServiceClientConstructor {
  const definition = serviceDefinitions()[fullName];
  if (!definition) throw new Error(`no gRPC service ${fullName} in the .proto files`);
  const name = fullName.split('.').pop() as string;
  return (loadPackageDefinition({ [name]: definition }) as GrpcObject)[name] as ServiceClientConstructor;
}
