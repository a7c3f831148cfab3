import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BindingsApi } from '../../core/bindings-api.js';
import { bindingTraceMetadata } from '../../observability/tracing-hooks.js';
import { stringifyJson } from '../../util/json-text.js';
import { field, firstValue, isObject, malformed, nullAsEmpty, optionalString, optionalStringMap, parseJsonBody, typeName } from './request.js';

type Req = FastifyRequest<{ Params: { name: string } }>;

/** `/v1.0/bindings/{name}`: the output bindings core; `data` travels re-encoded as JSON, as daprd sends it. */
export function registerBindingsRoutes(app: FastifyInstance, bindings: BindingsApi): void {
  app.route({
    method: ['POST', 'PUT'],
    url: '/v1.0/bindings/:name',
    handler: async (req: Req, reply) => {
      const body = nullAsEmpty(parseJsonBody(req.body));
      if (!isObject(body)) throw malformed(`request body must be a JSON object with "operation", got ${typeName(body)}`);
      const data = field(body, 'data');
      const res = await bindings.invoke(req.params.name, {
        operation: optionalString(body, 'operation', 'body') ?? '',
        data: Buffer.from(stringifyJson(data === undefined ? null : data)),
        metadata: { ...optionalStringMap(body, 'metadata', 'body'), ...bindingTraceMetadata(firstValue(req.headers, 'traceparent'), firstValue(req.headers, 'tracestate')) },
      });
      for (const [k, v] of Object.entries(res.metadata ?? {})) reply.header(`metadata.${k}`, v);
      if (res.data === undefined) return reply.code(204).send();
      return reply.code(200).type('application/json').send(res.data);
    },
  });
}
