// Span names and attributes as daprd gives them (recorded in test/observability/fixtures/daprd-spans.json).
// API calls are CLIENT spans on the caller's sidecar, the callee's side of an invocation a SERVER span.
import type { SpanDescription } from './tracing.js';

const INVOKE = /^\/v1\.0\/invoke\/([^/]+)\/method\/(.*)$/;
const BLOCK = /^\/v1\.0(?:-alpha1|-beta1)?\/(state|bindings|publish)\/([^/]+)/;

/** An HTTP API request: the name is its path, or `calllocal/<app>/<method>` for service invocation. */
export function httpApiSpan(method: string, url: string, client: { address?: string; port?: number }): SpanDescription {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const api = `${method} ${path}`;
  const attributes: Record<string, string> = { 'dapr.api': api, 'dapr.protocol': 'http', 'http.request.method': method, 'url.full': path };
  if (client.address) attributes['server.address'] = client.address;
  if (client.port) attributes['server.port'] = String(client.port);
  const invoke = INVOKE.exec(path);
  if (invoke) {
    attributes['net.peer.name'] = invoke[1];
    attributes['rpc.service'] = 'ServiceInvocation';
    return { name: `calllocal/${invoke[1]}/${invoke[2]}`, kind: 'client', attributes };
  }
  const block = BLOCK.exec(path);
  if (block) Object.assign(attributes, blockAttributes(block[1], block[2], api));
  return { name: path, kind: 'client', attributes };
}

/** The status daprd puts on a finished HTTP API span: an error from 400 up, named like `Code(400): Bad Request`. */
export function httpStatusError(status: number, statusText: string | undefined): string | undefined {
  return status >= 400 ? `Code(${status}): ${statusText ?? ''}` : undefined;
}

interface GrpcApiRequest {
  store_name?: string;
  name?: string;
  pubsub_name?: string;
  topic?: string;
  id?: string;
  message?: { method?: string } | null;
}

const GRPC_BLOCKS: Record<string, 'state' | 'bindings' | 'publish'> = {
  GetState: 'state',
  GetBulkState: 'state',
  SaveState: 'state',
  DeleteState: 'state',
  DeleteBulkState: 'state',
  ExecuteStateTransaction: 'state',
  QueryStateAlpha1: 'state',
  InvokeBinding: 'bindings',
  PublishEvent: 'publish',
  BulkPublishEvent: 'publish',
  BulkPublishEventAlpha1: 'publish',
};

/** A gRPC API call: the lowercased full method, or `calllocal/<app>/<method>` for InvokeService. */
export function grpcApiSpan(rpc: string, request: unknown): SpanDescription {
  const fullMethod = `/dapr.proto.runtime.v1.Dapr/${rpc}`;
  const r = (request ?? {}) as GrpcApiRequest;
  const attributes: Record<string, string> = { 'dapr.api': fullMethod, 'dapr.protocol': 'grpc', 'rpc.service': 'Dapr' };
  if (rpc === 'InvokeService') {
    attributes['net.peer.name'] = r.id ?? '';
    attributes['rpc.service'] = 'ServiceInvocation';
    return { name: `calllocal/${r.id ?? ''}/${r.message?.method ?? ''}`, kind: 'client', attributes };
  }
  const block = GRPC_BLOCKS[rpc];
  if (block === 'publish') Object.assign(attributes, blockAttributes('publish', r.pubsub_name ?? '', fullMethod), { 'messaging.destination.name': r.topic ?? '' });
  else if (block) Object.assign(attributes, blockAttributes(block, (block === 'state' ? r.store_name : r.name) ?? '', fullMethod));
  return { name: fullMethod.toLowerCase(), kind: 'client', attributes };
}

function blockAttributes(block: string, component: string, statement: string): Record<string, string> {
  if (block === 'publish') return { 'messaging.system': 'pubsub' };
  return { 'db.system': block, 'db.name': component, 'db.statement': statement, 'db.connection_string': block };
}

/** The callee's side of an invocation, between the sidecars' internal gRPC servers. */
export function callLocalSpan(appId: string, method: string, api: string): SpanDescription {
  return {
    name: `calllocal/${appId}/${method}`,
    kind: 'server',
    attributes: { 'dapr.api': api, 'dapr.invoke_method': method, 'dapr.protocol': 'grpc', 'rpc.service': 'ServiceInvocation' },
  };
}

/** A pub/sub delivery to the app, continuing the trace of the publish. */
export function deliverySpan(topic: string): SpanDescription {
  return { name: `pubsub/${topic}`, kind: 'client', attributes: { 'messaging.destination.name': topic, 'messaging.system': 'pubsub' } };
}
