import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { RequestListener } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ownNamespace, type SidecarOptions } from '../config/sidecar-options.js';
import type { Health } from '../core/health.js';
import type { MetadataApi } from '../core/metadata-api.js';
import { bindingHandlers } from '../transports/grpc/binding-handlers.js';
import { configurationHandlers } from '../transports/grpc/configuration-handlers.js';
import { invokeHandlers } from '../transports/grpc/invoke-handlers.js';
import { lockHandlers } from '../transports/grpc/lock-handlers.js';
import { proxyUnknownMethods } from '../transports/grpc/proxy.js';
import { publishHandlers } from '../transports/grpc/publish-handlers.js';
import { runtimeHandlers } from '../transports/grpc/runtime-handlers.js';
import { secretsHandlers } from '../transports/grpc/secrets-handlers.js';
import { buildGrpcApi, type GrpcObserver } from '../transports/grpc/server.js';
import { stateHandlers } from '../transports/grpc/state-handlers.js';
import { subscribeHandlers } from '../transports/grpc/subscribe-handlers.js';
import { registerBindingsRoutes } from '../transports/http/bindings-routes.js';
import { registerConfigurationRoutes } from '../transports/http/configuration-routes.js';
import { invokeHandler, registerInvokeRoutes } from '../transports/http/invoke-routes.js';
import { registerLockRoutes } from '../transports/http/lock-routes.js';
import { registerPublishRoutes } from '../transports/http/publish-routes.js';
import { registerOpenApiRoute } from '../transports/http/openapi-route.js';
import { kindsOpenApi } from '../transports/http/openapi/document.js';
import { registerRuntimeRoutes, type RuntimeRouteDeps } from '../transports/http/runtime-routes.js';
import { registerSecretsRoutes } from '../transports/http/secrets-routes.js';
import { RequestBodies } from '../transports/http/body.js';
import { buildHttpApi, type HttpObserver, type RouteRegistrar } from '../transports/http/server.js';
import { registerStateRoutes } from '../transports/http/state-routes.js';
import { registerUnservedRoutes } from '../transports/http/unserved-routes.js';
import type { UnservedContext } from '../core/unserved-apis.js';
import type { BuildingBlocks } from './building-blocks.js';
import type { InvocationRuntime } from './invocation-runtime.js';
import type { MechaKind } from './mecha-kinds/mecha-kind.js';

export interface ApiServers {
  http: FastifyInstance;
  grpc: GrpcServer;
  /** Relays gRPC calls for methods the API does not serve (`dapr-app-id`); holds the upstream clients. */
  grpcProxy: { close(): void };
}

/** The HTTP and gRPC APIs over the same cores: every building block registers its routes and its RPCs. */
export function buildApiServers(
  o: SidecarOptions,
  blocks: BuildingBlocks,
  runtime: { invocation: InvocationRuntime; metadata: MetadataApi; health: Health; shutdown(force: boolean): void; observer?: HttpObserver & GrpcObserver; kinds: readonly MechaKind[] },
  logger: Logger,
): ApiServers {
  const { state, pubsub, subscriptions, lock, bindings, configuration, secrets } = blocks;
  const bodies = new RequestBodies(o.maxRequestBytes, undefined, () => runtime.observer?.bodyShed());
  const invoke = invokeHandler(runtime.invocation.api, bodies);
  const unserved = { appId: o.appId, namespace: ownNamespace() };
  const http = buildHttpApi({
    fallback: invoke,
    routes: httpApiRoutes(blocks, { ...runtime, invoke, unserved }),
    logger,
    apiToken: o.apiToken,
    maxBodyBytes: o.maxRequestBytes,
    bodies,
    // Go's http.Server allows MaxHeaderBytes plus 4 KiB; daprd answers 431 only beyond that.
    maxHeaderBytes: o.maxHeaderBytes + 4096,
    allowedOrigins: o.allowedOrigins,
    apiLogging: o.enableApiLogging,
    observer: runtime.observer,
  });
  const guard = { apiToken: o.apiToken, logger };
  const grpc = buildGrpcApi({
    handlers: {
      ...stateHandlers(state, guard),
      ...invokeHandlers(runtime.invocation.api, guard),
      ...publishHandlers(pubsub, guard),
      ...subscribeHandlers(subscriptions, guard),
      ...lockHandlers(lock, guard),
      ...bindingHandlers(bindings, guard),
      ...configurationHandlers(configuration, guard),
      ...secretsHandlers(secrets, guard),
      ...runtimeHandlers(runtime.metadata, runtime.shutdown, guard),
      ...Object.assign({}, ...runtime.kinds.map((kind) => kind.grpcHandlers?.(guard) ?? {})),
    },
    maxMessageBytes: o.maxRequestBytes,
    logger,
    guard,
    unserved,
    observer: runtime.observer,
  });
  const grpcProxy = proxyUnknownMethods(grpc, runtime.invocation.proxyDirector('app'), o.maxRequestBytes, guard);
  return { http, grpc, grpcProxy };
}

/** Every route of the HTTP API, as the sidecar registers them (its OpenAPI document lists the same). */
export function httpApiRoutes(
  blocks: Omit<BuildingBlocks, 'subscriptions'>,
  runtime: RuntimeRouteDeps & { invoke: ReturnType<typeof invokeHandler>; unserved: UnservedContext; kinds: readonly MechaKind[] },
): RouteRegistrar[] {
  const { state, pubsub, lock, bindings, configuration, secrets } = blocks;
  return [
    (app) => registerInvokeRoutes(app, runtime.invoke),
    (app) => registerStateRoutes(app, state),
    (app) => registerPublishRoutes(app, pubsub),
    (app) => registerLockRoutes(app, lock),
    (app) => registerBindingsRoutes(app, bindings),
    (app) => registerConfigurationRoutes(app, configuration),
    (app) => registerSecretsRoutes(app, secrets),
    ...runtime.kinds.flatMap((kind) => (kind.httpRoutes ? [(app: FastifyInstance) => kind.httpRoutes!(app)] : [])),
    (app) => registerUnservedRoutes(app, runtime.unserved),
    (app) => registerRuntimeRoutes(app, { health: runtime.health, metadata: runtime.metadata, shutdown: runtime.shutdown }),
    (app) => registerOpenApiRoute(app, kindsOpenApi(runtime.kinds)),
  ];
}

const PUBLIC_READ = /^\/v1\.0\/(healthz(\/outbound)?|metadata)\/?(\?|$)/;
const PUBLIC_WRITE = /^\/v1\.0\/metadata\/[^/?]+\/?(\?|$)/;

/** `--dapr-public-port`, as daprd serves it: the health endpoints and metadata (read and set), and a 404 for the rest. */
export function publicRoutes(api: RequestListener): RequestListener {
  return (req, res) => {
    const path = req.url ?? '/';
    if ((req.method === 'GET' && PUBLIC_READ.test(path)) || (req.method === 'PUT' && PUBLIC_WRITE.test(path))) return api(req, res);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  };
}
