import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SecretsApi } from '../../core/secrets-api.js';
import { queryMetadata, type Query } from './request.js';

type Req = FastifyRequest<{ Params: { storeName: string; key: string }; Querystring: Query }>;

/** `/v1.0/secrets/{store}/{key}` and `/v1.0/secrets/{store}/bulk` on the secrets core. */
export function registerSecretsRoutes(app: FastifyInstance, secrets: SecretsApi): void {
  app.get('/v1.0/secrets/:storeName/bulk', async (req: Req, reply) => {
    const all = await secrets.bulkGet(req.params.storeName, queryMetadata(req.query));
    if (Object.keys(all).length === 0) return reply.code(204).send();
    return reply.code(200).type('application/json').send(JSON.stringify(all));
  });

  app.get('/v1.0/secrets/:storeName/:key', async (req: Req, reply) => {
    const secret = await secrets.get(req.params.storeName, req.params.key, queryMetadata(req.query));
    if (!secret) return reply.code(204).send();
    return reply.code(200).type('application/json').send(JSON.stringify(secret));
  });
}
