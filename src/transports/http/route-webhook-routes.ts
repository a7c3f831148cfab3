import type { FastifyInstance } from 'fastify';
import type { RouteOutcome } from '../../routes/route-runner.js';
import type { WebhookRequest } from '../../routes/sources.js';
import { declaredLength } from './body.js';
import { firstValue } from './request.js';
import { requestBodiesOf } from './server.js';

/** The running webhook for a method and path, or undefined. */
export type WebhookLookup = (method: string, path: string) => ((req: WebhookRequest) => Promise<RouteOutcome>) | undefined;

/**
 * Route webhooks (`from: { http: … }`). Routes come and go with hot reload while fastify cannot add routes
 * once listening, so a hook looks each unmatched request up before the invocation fallback takes it:
 * 204 once the route's sinks accepted the message (or a step ended it), 202 once it went to the dead
 * letter, a Dapr error otherwise.
 */
export function registerRouteWebhooks(app: FastifyInstance, lookup: WebhookLookup): void {
  const bodies = requestBodiesOf(app);
  // A callback hook: every other request passes it without a promise of its own.
  app.addHook('preValidation', (req, reply, done) => {
    if (!req.is404) return done();
    const path = req.url.split('?')[0];
    const receive = lookup(req.method, path);
    if (!receive) return done();
    const headers: Record<string, string> = {};
    for (const name of Object.keys(req.headers)) headers[name] = firstValue(req.headers, name) ?? '';
    bodies
      .read(req.raw, declaredLength(req.headers))
      .then((body) => receive({ body, headers, path }))
      .then((outcome) => void reply.code(outcome === 'deadLettered' ? 202 : 204).send(), done);
  });
}
