import type { FastifyInstance } from 'fastify';
import { openApiDocument, type kindsOpenApi } from './openapi/document.js';

/** `GET /v1.0-alpha1/openapi.json`: the HTTP API's own contract (Mecha's own route; daprd has none), built on first request. */
export function registerOpenApiRoute(app: FastifyInstance, extra: ReturnType<typeof kindsOpenApi>): void {
  let text: string | undefined;
  app.get('/v1.0-alpha1/openapi.json', async (_req, reply) => reply.code(200).type('application/json').send((text ??= JSON.stringify(openApiDocument(extra)))));
}
