import type { FastifyInstance } from 'fastify';

export interface ContractViews {
  list(): unknown[];
  asyncapi(): Record<string, unknown>;
  openapi(): Record<string, unknown>;
}

/** The app's contracts as published documents: the list, its AsyncAPI 3.0 document, its OpenAPI document. */
export function registerContractRoutes(app: FastifyInstance, views: ContractViews): void {
  app.get('/v1.0-alpha1/contracts', async (_req, reply) => reply.type('application/json').send(JSON.stringify(views.list())));
  app.get('/v1.0-alpha1/contracts/asyncapi.json', async (_req, reply) => reply.type('application/json').send(JSON.stringify(views.asyncapi())));
  app.get('/v1.0-alpha1/contracts/openapi.json', async (_req, reply) => reply.type('application/json').send(JSON.stringify(views.openapi())));
}
