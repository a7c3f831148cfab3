import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type RouteHandlerMethod } from 'fastify';
import type { Logger } from 'pino';
import { Errors } from '../../errors/codes.js';
import { toHttpError } from '../../errors/http.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import { declaredLength, RequestBodies, tooLarge } from './body.js';
import { answerClientError, guardServer, httpServerOptions, noTargetAppId } from './connection-guards.js';
import { registerCors } from './cors.js';
import { firstValue } from './request.js';
import { parseTraceparent } from '../../observability/tracing-context.js';
import { traceHttpApi } from '../../observability/tracing-hooks.js';

/** Adds one building block's routes to the app. */
export type RouteRegistrar = (app: FastifyInstance) => void;

export interface HttpApiOptions {
  routes: readonly RouteRegistrar[];
  logger: Logger;
  apiToken?: string;
  maxBodyBytes: number;
  /** Reads bodies under the per-request and sidecar-wide limits; default: a budget derived from maxBodyBytes. */
  bodies?: RequestBodies;
  /** Limit on the request line and headers (Node's maxHeaderSize); larger requests get 431. */
  maxHeaderBytes?: number;
  /** `--allowed-origins`; none: no CORS headers. */
  allowedOrigins?: readonly string[];
  apiLogging: boolean;
  /** Handles every unmatched route (daprd treats them as service invocation); default: the 404 it answers without a target. */
  fallback?: RouteHandlerMethod;
  /** Sees every answered request (metrics); the one per-request observation point of this transport. */
  observer?: HttpObserver;
}

export interface HttpObserver {
  httpRequest(method: string, url: string, status: number, ms: number, requestBytes: number, responseBytes: number): void;
  /** A request body refused because the sidecar already holds its budget of bodies being read. */
  bodyShed(): void;
}

const UNAUTHENTICATED_PATHS = new Set(['/v1.0/healthz', '/v1.0/healthz/outbound']);

/** Only `GET` of the health endpoints skips the token check, however the path is slashed. */
function isUnauthenticated(method: string, url: string): boolean {
  if (method !== 'GET') return false;
  const path = url.split('?')[0].replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return UNAUTHENTICATED_PATHS.has(path);
}

const originalType = new WeakMap<object, string>();
const bodiesOfServer = new WeakMap<object, RequestBodies>();

/** The body reader of the API `app` belongs to: routes reading a raw body share its sidecar-wide budget. */
export function requestBodiesOf(app: FastifyInstance): RequestBodies {
  const bodies = bodiesOfServer.get(app.server);
  if (!bodies) throw new Error('not an HTTP API built by buildHttpApi');
  return bodies;
}

/** Builds the fastify app of the Dapr HTTP API. Routes only decode, call a core, encode; errors map in one place. */
export function buildHttpApi(o: HttpApiOptions): FastifyInstance {
  const sendError = (err: FastifyError | SidecarError, reply: FastifyReply) => {
    const e = SidecarError.from(fromFastify(err, o.maxBodyBytes));
    if (e.isUnexpected) o.logger.error({ err: e.cause }, 'unexpected error in an HTTP API call');
    const { status, body } = toHttpError(e);
    if (status >= 500) o.logger.debug({ err: body.message, errorCode: body.errorCode }, 'api error');
    // Shed load: the connection closes rather than carry the rest of a body refused unread.
    if (e.kind === Errors.BodyBudgetExhausted) reply.header('connection', 'close').header('retry-after', '1');
    return reply.code(status).type('application/json').send(JSON.stringify(body));
  };
  const bodies = o.bodies ?? new RequestBodies(o.maxBodyBytes);
  const serverOptions = httpServerOptions(o.maxHeaderBytes);
  const app = Fastify({
    bodyLimit: o.maxBodyBytes,
    // daprd has no HEAD routes: a HEAD goes to the invocation fallback like any unmatched request.
    exposeHeadRoutes: false,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 8192 },
    forceCloseConnections: 'idle',
    http: serverOptions,
    requestTimeout: serverOptions.requestTimeout,
    keepAliveTimeout: serverOptions.keepAliveTimeout,
    clientErrorHandler: answerClientError,
    // A bad %-escape or an over-long parameter, found while routing: answered through the error handler.
    frameworkErrors: (err, _req, reply) => sendError(err, reply),
  });
  guardServer(app.server);
  registerCors(app, o.allowedOrigins ?? ['*']);

  // Bodies are read as bytes whatever their Content-Type (daprd ignores it for most APIs), except on
  // routes that stream them (service invocation, including the not-found fallback).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req, payload, done) => {
    if (req.is404 || (req.routeOptions.config as { rawBody?: boolean }).rawBody) return done(null, undefined);
    bodies.read(payload, declaredLength(req.headers)).then((b) => done(null, b), (err: Error) => done(err));
  });

  // fastify refuses a Content-Type it cannot parse (`x/y/z;;`) with 415 before any parser runs; daprd
  // ignores the header (or forwards it as it is). Parsing sees a neutral type; the route, the original.
  // Hooks take callbacks: an async hook costs each request a promise and a further turn of the hook runner.
  app.addHook('onRequest', (req, _reply, done) => {
    const type = req.headers['content-type'];
    if (type !== undefined) {
      originalType.set(req.raw, type);
      req.headers['content-type'] = 'application/octet-stream';
    }
    done();
  });
  app.addHook('preValidation', (req, _reply, done) => {
    const type = originalType.get(req.raw);
    if (type !== undefined) req.headers['content-type'] = type;
    done();
  });

  traceHttpApi(app);

  const apiToken = o.apiToken;
  if (apiToken !== undefined) {
    app.addHook('onRequest', async (req, reply) => {
      if (isUnauthenticated(req.method, req.url)) return;
      const given = req.headers['dapr-api-token'];
      if (typeof given !== 'string' || !sameToken(given, apiToken)) {
        return reply.code(401).type('text/plain; charset=utf-8').send('invalid api token');
      }
      delete req.headers['dapr-api-token'];
    });
  }

  // fastify appends `; charset=utf-8` to the type of every string payload (our own JSON; proxied
  // answers are bytes or streams); daprd answers plain `application/json`.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (typeof payload === 'string' && reply.getHeader('content-type') === 'application/json; charset=utf-8') reply.header('content-type', 'application/json');
    done(null, payload);
  });

  if (o.observer) {
    const observer = o.observer;
    app.addHook('onResponse', (req, reply, done) => {
      const sent = reply.getHeader('content-length');
      observer.httpRequest(req.method, req.url, reply.statusCode, reply.elapsedTime, Number(req.headers['content-length']) || 0, Number(sent) || 0);
      done();
    });
  }

  if (o.apiLogging) {
    app.addHook('onResponse', async (req, reply) => {
      const traceid = parseTraceparent(firstValue(req.headers, 'traceparent'))?.traceId;
      o.logger.info({ method: req.method, path: req.url.split('?')[0], status: reply.statusCode, durationMs: Math.round(reply.elapsedTime), ...(traceid ? { traceid } : {}) }, 'api call');
    });
  }

  app.setErrorHandler((err: FastifyError | SidecarError, _req, reply) => sendError(err, reply));

  // daprd treats every unmatched route as service invocation; without a target app-id that is a 404.
  app.setNotFoundHandler(
    o.fallback ??
      (async () => {
        throw noTargetAppId();
      }),
  );

  bodiesOfServer.set(app.server, bodies);
  for (const register of o.routes) register(app);
  return app;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** fastify's own errors (body too large, bad URL encoding…) as catalogue errors, with daprd's statuses. */
function fromFastify(err: FastifyError | SidecarError, maxBodyBytes: number): unknown {
  if (err instanceof SidecarError) return err;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return tooLarge(maxBodyBytes);
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return new SidecarError(Errors.HeadersTooLarge, 'a path segment is longer than 8 KiB');
  if (err.code === 'FST_ERR_BAD_URL') return new SidecarError(Errors.BadRequest, `the URL is not valid: ${err.message}`);
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new SidecarError(Errors.MalformedRequest, err.message);
  }
  return err;
}
