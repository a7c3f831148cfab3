// A gRPC app for the routing tests: it lists subscriptions the way the SDKs do (no routes, rules only,
// bulk) and records every OnTopicEvent / OnBulkTopicEvent with its path; method "events" returns them.
// Topics starting with "unimpl" are answered UNIMPLEMENTED (the SDKs' answer for a path they have no
// handler for); topic "dlq" is the dead-letter topic of those subscriptions.
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const root = fileURLToPath(new URL('../../proto', import.meta.url));
const def = protoLoader.loadSync('dapr/proto/runtime/v1/appcallback.proto', { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [root] });
const v1 = grpc.loadPackageDefinition(def).dapr.proto.runtime.v1;
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 200);

const bulk = { enabled: true, max_messages_count: 10, max_await_duration_ms: 100 };
const subscriptions = [
  { pubsub_name: 'pubsub', topic: 'plain', routes: {} },
  { pubsub_name: 'pubsub', topic: 'ruled', routes: { rules: [{ match: 'event.type == "x"', path: 'on_x' }] } },
  { pubsub_name: 'pubsub', topic: 'bulk', routes: {}, bulk_subscribe: bulk },
  { pubsub_name: 'pubsub', topic: 'bulk-ruled', routes: { rules: [{ match: 'event.type == "x"', path: 'on_bulk_x' }] }, bulk_subscribe: bulk },
  { pubsub_name: 'pubsub', topic: 'unimpl', routes: {}, dead_letter_topic: 'dlq' },
  { pubsub_name: 'pubsub', topic: 'unimpl-bulk', routes: {}, dead_letter_topic: 'dlq', bulk_subscribe: bulk },
  { pubsub_name: 'pubsub', topic: 'dlq', routes: { default: '/dlq' } },
];
// The CloudEvent attributes sent as extensions, with their values where they do not vary.
const extensionsOf = (struct) =>
  Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([k, v]) => [k, k === 'topic' || k === 'pubsubname' ? v.stringValue : typeof v.stringValue]));
const unimplemented = (cb) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'no handler' });
const events = [];
const server = new grpc.Server();
server.addService(v1.AppCallback.service, {
  OnInvoke: (_c, cb) => cb(null, { data: { type_url: '', value: Buffer.from(JSON.stringify(events)) }, content_type: 'application/json' }),
  ListTopicSubscriptions: (_c, cb) => cb(null, { subscriptions }),
  OnTopicEvent(call, cb) {
    const r = call.request;
    events.push({ rpc: 'OnTopicEvent', topic: r.topic, path: r.path, type: r.type, data: r.data.toString('utf8'), extensions: extensionsOf(r.extensions) });
    if (r.topic.startsWith('unimpl')) return unimplemented(cb);
    cb(null, { status: 'SUCCESS' });
  },
  OnBulkTopicEvent(call, cb) {
    const r = call.request;
    events.push({
      rpc: 'OnBulkTopicEvent',
      topic: r.topic,
      path: r.path,
      entries: r.entries.length,
      metadata: r.metadata,
      entryContentTypes: r.entries.map((e) => e.content_type),
      extensions: extensionsOf(r.entries[0]?.cloud_event?.extensions),
    });
    if (r.topic.startsWith('unimpl')) return unimplemented(cb);
    cb(null, { statuses: r.entries.map((e) => ({ entry_id: e.entry_id, status: 'SUCCESS' })) });
  },
  ListInputBindings: (_c, cb) => cb(null, { bindings: [] }),
  OnBindingEvent: (_c, cb) => cb(null, {}),
});
server.addService(v1.AppCallbackAlpha.service, {
  OnBulkTopicEventAlpha1(call, cb) {
    events.push({ rpc: 'OnBulkTopicEventAlpha1', topic: call.request.topic, path: call.request.path });
    unimplemented(cb);
  },
});
server.bindAsync(`127.0.0.1:${process.env.APP_PORT}`, grpc.ServerCredentials.createInsecure(), () => {});
