import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PubSubApi } from '../../core/pubsub-api.js';
import type { TraceContext } from '../../core/pubsub-requests.js';
import { decodeBulkPublish, encodeBulkFailure } from './publish-codec.js';
import { firstValue, queryMetadata, type Query } from './request.js';

type Req = FastifyRequest<{ Params: { pubsubname: string; '*': string }; Querystring: Query }>;

/** `/v1.0/publish/...` and bulk publish: decode, call the pub/sub core, encode. */
export function registerPublishRoutes(app: FastifyInstance, pubsub: PubSubApi): void {
  const publish = async (req: Req, reply: FastifyReply) => {
    // daprd's router has no publish route without a pub/sub and a topic: such paths are invocation.
    if (!req.params.pubsubname || !req.params['*']) return reply.callNotFound();
    const contentType = req.headers['content-type'];
    await pubsub.publish({
      pubsubName: req.params.pubsubname,
      topic: req.params['*'],
      data: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      contentType: contentType || undefined,
      metadata: queryMetadata(req.query),
      ...traceOf(req),
    });
    return reply.code(204).send();
  };
  app.route({ method: ['POST', 'PUT'], url: '/v1.0/publish/:pubsubname/*', handler: publish });

  const bulk = async (req: Req, reply: FastifyReply) => {
    if (!req.params.pubsubname || !req.params['*']) return reply.callNotFound();
    const pubsubName = req.params.pubsubname;
    const topic = req.params['*'];
    pubsub.checkTarget(pubsubName, topic);
    const result = await pubsub.bulkPublish({
      pubsubName,
      topic,
      entries: decodeBulkPublish(req.body, pubsubName, topic),
      metadata: queryMetadata(req.query),
      ...traceOf(req),
    });
    if (result.failedEntries.length === 0) return reply.code(204).send();
    return reply.code(500).type('application/json').send(encodeBulkFailure(result));
  };
  for (const version of ['v1.0-alpha1', 'v1.0']) app.route({ method: ['POST', 'PUT'], url: `/${version}/publish/bulk/:pubsubname/*`, handler: bulk });
}

/** The publish span's context (tracing-hooks.ts put it on the request): the event continues it. */
function traceOf(req: Req): TraceContext {
  return { traceparent: firstValue(req.headers, 'traceparent') ?? '', tracestate: firstValue(req.headers, 'tracestate') ?? '' };
}
