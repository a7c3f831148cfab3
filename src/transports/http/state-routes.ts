import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StateApi } from '../../core/state-api.js';
import { parseJsonBody, firstValue, queryMetadata, type Query } from './request.js';
import { decodeBulkGet, decodeSaveItems, decodeSqlRequest, decodeTransaction, encodeBulkItems, encodeQueryPage } from './state-codec.js';

type Req = FastifyRequest<{ Params: { storeName: string; key: string }; Querystring: Query }>;

/** `/v1.0/state/...`: decode, call the state core, encode. */
export function registerStateRoutes(app: FastifyInstance, state: StateApi): void {
  app.get('/v1.0/state/:storeName/:key', async (req: Req, reply: FastifyReply) => {
    const item = await state.get({
      storeName: req.params.storeName,
      key: req.params.key,
      consistency: firstValue(req.query, 'consistency'),
      metadata: queryMetadata(req.query),
    });
    if (!item) return reply.code(204).send();
    if (item.etag) reply.header('etag', item.etag);
    for (const [k, v] of Object.entries(item.metadata ?? {})) reply.header(`metadata.${k}`, v);
    return reply.code(200).type('application/json').send(item.data);
  });

  app.route({
    method: ['POST', 'PUT'],
    url: '/v1.0/state/:storeName',
    handler: async (req: Req, reply) => {
      state.checkStore(req.params.storeName);
      const items = decodeSaveItems(parseJsonBody(req.body));
      await state.save({ storeName: req.params.storeName, items, metadata: queryMetadata(req.query) });
      return reply.code(204).send();
    },
  });

  app.delete('/v1.0/state/:storeName/:key', async (req: Req, reply: FastifyReply) => {
    const ifMatch = req.headers['if-match'];
    await state.delete({
      storeName: req.params.storeName,
      key: req.params.key,
      etag: Array.isArray(ifMatch) ? ifMatch[0] : ifMatch,
      options: { concurrency: firstValue(req.query, 'concurrency'), consistency: firstValue(req.query, 'consistency') },
      metadata: queryMetadata(req.query),
    });
    return reply.code(204).send();
  });

  app.route({
    method: ['POST', 'PUT'],
    url: '/v1.0/state/:storeName/bulk',
    handler: async (req: Req, reply) => {
      state.checkStore(req.params.storeName);
      const body = decodeBulkGet(parseJsonBody(req.body));
      const items = await state.bulkGet({
        storeName: req.params.storeName,
        keys: body.keys,
        parallelism: body.parallelism,
        metadata: { ...body.metadata, ...queryMetadata(req.query) },
      });
      return reply.code(200).type('application/json').send(encodeBulkItems(items));
    },
  });

  app.route({
    method: ['POST', 'PUT'],
    url: '/v1.0/state/:storeName/transaction',
    handler: async (req: Req, reply) => {
      state.checkStore(req.params.storeName, 'transactions');
      const body = decodeTransaction(parseJsonBody(req.body));
      await state.transaction({
        storeName: req.params.storeName,
        operations: body.operations,
        metadata: { ...body.metadata, ...queryMetadata(req.query) },
      });
      return reply.code(204).send();
    },
  });

  app.route({
    method: ['POST', 'PUT'],
    url: '/v1.0-alpha1/state/:storeName/query',
    handler: async (req: Req, reply) => {
      // daprd refuses an unknown store or one without queries before reading the body.
      state.checkStore(req.params.storeName, 'query');
      const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const page = await state.query({ storeName: req.params.storeName, query: text, metadata: queryMetadata(req.query) });
      if (page.results.length === 0) return reply.code(204).send();
      return reply.code(200).type('application/json').send(encodeQueryPage(page));
    },
  });

  // Mecha's own: SQL over the query API (core/state-sql.ts), answered as the query API answers.
  app.post('/v1.0-alpha1/state/:storeName/sql', async (req: Req, reply) => {
    state.checkStore(req.params.storeName, 'query');
    const { sql, token } = decodeSqlRequest(req.body, firstValue(req.headers, 'content-type'));
    const page = await state.querySql({ storeName: req.params.storeName, sql, token, metadata: queryMetadata(req.query) });
    if (page.results.length === 0) return reply.code(204).send();
    return reply.code(200).type('application/json').send(encodeQueryPage(page));
  });
}
