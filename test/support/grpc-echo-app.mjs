// A gRPC app for end-to-end tests: AppCallback.OnInvoke echoes the call; method "fail" answers NOT_FOUND;
// method "events" returns the topic events received so far. It subscribes to topic "orders" of "pubsub"
// (route /orders) and answers RETRY to the first delivery of an event whose data is "retry-me". It
// listens to input binding "ticks" only, records each event (method "bindings" returns them) and asks
// the sidecar to send a receipt to output binding "receipts".
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const root = fileURLToPath(new URL('../../proto', import.meta.url));
const def = protoLoader.loadSync('dapr/proto/runtime/v1/appcallback.proto', { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [root] });
const v1 = grpc.loadPackageDefinition(def).dapr.proto.runtime.v1;
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 200);

const events = [];
const bindingEvents = [];
const seen = new Set();
const server = new grpc.Server();
server.addService(v1.AppCallback.service, {
  OnInvoke(call, cb) {
    const m = call.request;
    if (m.method === 'fail') return cb({ code: grpc.status.NOT_FOUND, details: 'no such thing' });
    if (m.method === 'events') return cb(null, { data: { type_url: '', value: Buffer.from(JSON.stringify(events)) }, content_type: 'application/json' });
    if (m.method === 'bindings') return cb(null, { data: { type_url: '', value: Buffer.from(JSON.stringify(bindingEvents)) }, content_type: 'application/json' });
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
  ListTopicSubscriptions: (_c, cb) =>
    cb(null, {
      subscriptions: [
        { pubsub_name: 'pubsub', topic: 'orders', routes: { rules: [], default: '/orders' } },
        { pubsub_name: 'pubsub', topic: 'bulk-orders', routes: { rules: [], default: '/bulk' }, bulk_subscribe: { enabled: true, max_messages_count: 10, max_await_duration_ms: 200 } },
      ],
    }),
  OnBulkTopicEvent(call, cb) {
    const r = call.request;
    const statuses = r.entries.map((e) => {
      const data = e.cloud_event?.data?.toString('utf8') ?? '';
      events.push({ id: e.cloud_event?.id, bulk: true, topic: r.topic, pubsub: r.pubsub_name, path: r.path, data, traceid: e.cloud_event?.extensions?.fields?.traceid?.stringValue ?? null });
      const retry = data === '"retry-me"' && !seen.has(e.cloud_event.id);
      if (retry) seen.add(e.cloud_event.id);
      return { entry_id: e.entry_id, status: retry ? 'RETRY' : 'SUCCESS' };
    });
    cb(null, { statuses });
  },
  OnTopicEvent(call, cb) {
    const e = call.request;
    const data = e.data.toString('utf8');
    events.push({ id: e.id, topic: e.topic, pubsub: e.pubsub_name, path: e.path, type: e.type, data, contentType: e.data_content_type, traceid: e.extensions?.fields?.traceid?.stringValue ?? null });
    if (data === '"retry-me"' && !seen.has(e.id)) {
      seen.add(e.id);
      return cb(null, { status: 'RETRY' });
    }
    cb(null, { status: 'SUCCESS' });
  },
  ListInputBindings: (_c, cb) => cb(null, { bindings: ['ticks'] }),
  OnBindingEvent(call, cb) {
    const { name, metadata } = call.request;
    bindingEvents.push({ name, metadata });
    cb(null, { to: ['receipts'], data: Buffer.from(`receipt ${bindingEvents.length} for ${name}`), concurrency: 'SEQUENTIAL' });
  },
});
// A service of its own, reached through the sidecars' gRPC proxy: "fail" answers NOT_FOUND with a trailer.
const greeterDef = protoLoader.loadSync(fileURLToPath(new URL('./greeter.proto', import.meta.url)), { keepCase: true });
const { Greeter } = grpc.loadPackageDefinition(greeterDef).mecha.test;
server.addService(Greeter.service, {
  SayHello(call, cb) {
    const caller = String(call.metadata.get('dapr-caller-app-id')[0] ?? '');
    if (call.request.name === 'fail') {
      const trailers = new grpc.Metadata();
      trailers.set('why', 'asked to fail');
      return cb({ code: grpc.status.NOT_FOUND, details: 'no such person', metadata: trailers });
    }
    const headers = new grpc.Metadata();
    headers.set('x-app', String(process.env.APP_ID));
    call.sendMetadata(headers);
    cb(null, { message: `hello ${call.request.name}`, caller });
  },
  Chat(call) {
    call.on('data', (m) => call.write({ message: `echo ${m.name}` }));
    call.on('end', () => call.end());
  },
});
server.addService(v1.AppCallbackHealthCheck.service, { HealthCheck: (_c, cb) => cb(null, {}) });
server.bindAsync(`127.0.0.1:${process.env.APP_PORT}`, grpc.ServerCredentials.createInsecure(), () => {});
