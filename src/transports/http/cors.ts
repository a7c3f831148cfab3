import type { FastifyInstance } from 'fastify';

/**
 * CORS for `--allowed-origins`, answered as daprd answers (its go-chi/cors middleware): a listed Origin
 * is echoed in Access-Control-Allow-Origin, a preflight (OPTIONS with Access-Control-Request-Method)
 * gets 200 with the requested method and headers allowed, and every answer varies on Origin. With `*`,
 * daprd's default, no CORS headers are added at all.
 */
export function registerCors(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  if (allowedOrigins.includes('*')) return;
  const allowed = new Set(allowedOrigins.map((o) => o.toLowerCase()));
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    const method = req.headers['access-control-request-method'];
    const preflight = req.method === 'OPTIONS' && typeof method === 'string';
    reply.header('vary', preflight ? ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'] : 'Origin');
    if (typeof origin !== 'string' || !allowed.has(origin.toLowerCase())) {
      if (preflight) return reply.code(200).send();
      return;
    }
    reply.header('access-control-allow-origin', origin);
    if (!preflight) return;
    reply.header('access-control-allow-methods', method.toUpperCase());
    const headers = req.headers['access-control-request-headers'];
    if (typeof headers === 'string' && headers.trim()) reply.header('access-control-allow-headers', headers);
    return reply.code(200).send();
  });
}
