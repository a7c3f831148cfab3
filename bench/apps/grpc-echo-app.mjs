// A gRPC app (AppCallback.OnInvoke answers with the request data): the callee of the gRPC invocation
// scenario and, called directly, its baseline. Usage: node grpc-echo-app.mjs <port>
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const root = fileURLToPath(new URL('../../proto', import.meta.url));
const def = protoLoader.loadSync('dapr/proto/runtime/v1/appcallback.proto', { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [root] });
const v1 = grpc.loadPackageDefinition(def).dapr.proto.runtime.v1;
const server = new grpc.Server();
server.addService(v1.AppCallback.service, {
  OnInvoke: (call, cb) => cb(null, { data: call.request.data, content_type: 'application/octet-stream' }),
  ListTopicSubscriptions: (_c, cb) => cb(null, { subscriptions: [] }),
  ListInputBindings: (_c, cb) => cb(null, { bindings: [] }),
});
server.bindAsync(`127.0.0.1:${process.argv[2]}`, grpc.ServerCredentials.createInsecure(), () => process.send?.('ready'));
