import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { forwardableHeaders } from '../../core/invocation/headers.js';
import type { InvocationApi } from '../../core/invocation/invocation-api.js';
import { findTarget } from '../../core/invocation/target.js';
import type { InvokeRequest } from '../../core/invocation/types.js';
import { bufferBody } from '../../util/body-streams.js';
import { Errors } from '../../errors/codes.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import { declaredLength, limitBody, type RequestBodies } from './body.js';
import { firstValue } from './request.js';
import { noTargetAppId } from './connection-guards.js';

/**
 * Service invocation over HTTP: `/v1.0/invoke/<id>/method/<m>` and, as daprd does, every unmatched
 * route (target from the `dapr-app-id` header or Basic auth). Bodies stream; one with a known length
 * is read first so the built-in retry can replay it, and it reaches another sidecar in one unary call.
 */
export function invokeHandler(invocation: InvocationApi, bodies: RequestBodies) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.raw.url ?? '/';
    const target = findTarget(path.split('?')[0], (n) => firstValue(req.headers, n));
    if (!target) throw noTargetAppId();
    const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
    const length = declaredLength(req.headers);
    // A request with neither a length nor chunked encoding has no body (HTTP/1.1), so it is replayable too.
    const bodiless = length === undefined && req.headers['transfer-encoding'] === undefined;
    const replayable = bodiless ? Buffer.alloc(0) : length !== undefined ? await bodies.read(req.raw, length) : undefined;
    const call: InvokeRequest = {
      method: target.method,
      verb: req.method.toUpperCase(),
      query,
      headers: forwardableHeaders(req.headers),
      body: replayable ? bufferBody(replayable) : limitBody(req.raw, bodies.maxBodyBytes),
    };
    const res = await invocation.invoke(target.targetId, call, replayable);
    reply.code(res.status);
    for (const [k, values] of Object.entries(res.headers)) reply.header(k, values.length === 1 ? values[0] : values);
    // A body in memory goes out in one write with its length; without a content type fastify would add one.
    return reply.send(res.buffered && res.headers['content-type'] ? res.buffered : Readable.from(res.body));
  };
}

/** The explicit `/v1.0/invoke/*` route; the same handler also serves as the API's not-found fallback. */
export function registerInvokeRoutes(app: FastifyInstance, handler: ReturnType<typeof invokeHandler>): void {
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'], url: '/v1.0/invoke/*', config: { rawBody: true }, handler });
}
