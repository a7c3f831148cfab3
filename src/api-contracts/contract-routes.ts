import type { FastifyInstance } from 'fastify';
import { jsonAnswer, type Paths } from '../transports/http/openapi/parts.js';

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

const tags = ['contracts'];

/** The same routes in the sidecar's own OpenAPI document. */
export const CONTRACT_PATHS: Paths = {
  '/v1.0-alpha1/contracts': {
    get: {
      tags,
      operationId: 'listContracts',
      summary: 'The Contract resources running for this app (docs/contracts.md).',
      responses: {
        '200': jsonAnswer('One entry per contract: name, what it covers, its enforcement.', { type: 'array', items: { type: 'object' } }),
      },
    },
  },
  '/v1.0-alpha1/contracts/asyncapi.json': {
    get: {
      tags,
      operationId: 'appAsyncApi',
      summary: 'The AsyncAPI 3.0 document of the app: what it publishes and receives, from its subscriptions and contracts.',
      responses: { '200': jsonAnswer('An AsyncAPI 3.0 document.', { type: 'object', required: ['asyncapi'] }) },
    },
  },
  '/v1.0-alpha1/contracts/openapi.json': {
    get: {
      tags,
      operationId: 'appOpenApi',
      summary: "The OpenAPI document of the app's methods, from the Contract naming this app in spec.appId.",
      responses: { '200': jsonAnswer('An OpenAPI document.', { type: 'object', required: ['openapi'] }) },
    },
  },
};
