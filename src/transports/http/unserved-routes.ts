import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UNSERVED_HTTP, type UnservedContext } from '../../core/unserved-apis.js';
import { isObject, malformed, parseJsonBody } from './request.js';

/** The routes of the building blocks Mecha does not serve: decode, then daprd's answer from the core table. */
export function registerUnservedRoutes(app: FastifyInstance, ctx: UnservedContext): void {
  for (const route of UNSERVED_HTTP) {
    for (const url of route.urls) {
      app.route({
        method: route.methods,
        url,
        handler: async (req: FastifyRequest) => {
          const fields = { ...(req.params as Record<string, string>) };
          let present: Set<string> | undefined;
          if (route.body) {
            const body = parseJsonBody(req.body);
            if (route.body === 'array' && !Array.isArray(body)) throw malformed('failed deserializing HTTP body: the body must be a JSON array of operations');
            if (isObject(body)) present = new Set(Object.keys(body).filter((k) => body[k] !== null && body[k] !== ''));
          }
          throw route.answer({ fields, present }, ctx);
        },
      });
    }
  }
}
