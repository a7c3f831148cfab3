import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonItems, type ConfigurationApi } from '../../core/configuration-api.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import { queryMetadata, type Query } from './request.js';

type Req = FastifyRequest<{ Params: { storeName: string; id: string }; Querystring: Query }>;

const keysOf = (q: Query) => {
  const k = q.key;
  return k === undefined ? [] : Array.isArray(k) ? k : [k];
};

/** `/v1.0/configuration/...` (and `/v1.0-alpha1/…`): get, subscribe, unsubscribe on the configuration core. */
export function registerConfigurationRoutes(app: FastifyInstance, configuration: ConfigurationApi): void {
  for (const v of ['v1.0', 'v1.0-alpha1']) {
    app.get(`/${v}/configuration/:storeName`, async (req: Req, reply) => {
      const items = await configuration.get(req.params.storeName, keysOf(req.query), queryMetadata(req.query));
      if (Object.keys(items).length === 0) return reply.code(204).send();
      return reply.code(200).type('application/json').send(JSON.stringify(jsonItems(items)));
    });

    app.get(`/${v}/configuration/:storeName/subscribe`, async (req: Req, reply) => {
      const id = await configuration.subscribeApp(req.params.storeName, keysOf(req.query), queryMetadata(req.query));
      return reply.code(200).type('application/json').send(JSON.stringify({ id }));
    });

    app.get(`/${v}/configuration/:storeName/:id/unsubscribe`, async (req: Req, reply) => {
      try {
        await configuration.unsubscribe(req.params.storeName, req.params.id);
      } catch (err) {
        // daprd answers a failed unsubscribe with its own shape, not the error envelope (`ok: false`
        // is left out: Go's omitempty).
        if (err instanceof SidecarError && err.code === 'ERR_CONFIGURATION_UNSUBSCRIBE') {
          return reply.code(500).type('application/json').send(JSON.stringify({ message: err.message }));
        }
        throw err;
      }
      return reply.code(200).type('application/json').send(JSON.stringify({ ok: true }));
    });
  }
}
