import type { FastifyInstance } from 'fastify';
import { openApiJson } from './openapi/document.js';

/** `GET /v1.0-alpha1/openapi.json`: the HTTP API's own contract (Mecha's own route; daprd has none). */
export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get('/v1.0-alpha1/openapi.json', async (_req, reply) => reply.code(200).type('application/json').send(openApiJson()));
}
