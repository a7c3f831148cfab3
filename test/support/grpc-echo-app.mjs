// A gRPC app for end-to-end tests: AppCallback.OnInvoke echoes the call; method "fail" answers NOT_FOUND.
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const root = fileURLToPath(new URL('../../proto', import.meta.url));
const def = protoLoader.loadSync('dapr/proto/runtime/v1/appcallback.proto', { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [root] });
const v1 = grpc.loadPackageDefinition(def).dapr.proto.runtime.v1;
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 200);

const server = new grpc.Server();
server.addService(v1.AppCallback.service, {
  OnInvoke(call, cb) {
    const m = call.request;
    if (m.method === 'fail') return cb({ code: grpc.status.NOT_FOUND, details: 'no such thing' });
    const echo = {
      app: process.env.APP_ID,
      method: m.method,
      verb: m.http_extension?.verb,
      query: m.http_extension?.querystring,
      body: m.data?.value?.toString('utf8') ?? '',
      caller: call.metadata.get('dapr-caller-app-id')[0] ?? null,
    };
    cb(null, { data: { type_url: '', value: Buffer.from(JSON.stringify(echo)) }, content_type: 'application/json' });
  },
  ListTopicSubscriptions: (_c, cb) => cb(null, { subscriptions: [] }),
  ListInputBindings: (_c, cb) => cb(null, { bindings: [] }),
});
server.addService(v1.AppCallbackHealthCheck.service, { HealthCheck: (_c, cb) => cb(null, {}) });
server.bindAsync(`127.0.0.1:${process.env.APP_PORT}`, grpc.ServerCredentials.createInsecure(), () => {});
