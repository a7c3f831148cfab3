import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Health } from '../../core/health.js';
import type { MetadataApi, SidecarMetadata } from '../../core/metadata-api.js';
import { firstValue, type Query } from './request.js';

export interface RuntimeRouteDeps {
  health: Health;
  metadata: MetadataApi;
  shutdown(force: boolean): void;
}

/** Health, metadata and shutdown: the routes about the sidecar itself. */
export function registerRuntimeRoutes(app: FastifyInstance, deps: RuntimeRouteDeps): void {
  app.get('/v1.0/healthz', async (req: FastifyRequest<{ Querystring: Query }>, reply) => {
    deps.health.check(firstValue(req.query, 'appid'));
    return reply.code(204).send();
  });

  app.get('/v1.0/healthz/outbound', async (_req, reply) => {
    deps.health.checkOutbound();
    return reply.code(204).send();
  });

  app.get('/v1.0/metadata', async (_req, reply) => reply.code(200).type('application/json').send(JSON.stringify(encodeMetadata(deps.metadata.get()))));

  app.put('/v1.0/metadata/:key', async (req: FastifyRequest<{ Params: { key: string } }>, reply) => {
    deps.metadata.set(req.params.key, Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    return reply.code(204).send();
  });

  app.post('/v1.0/shutdown', async (req, reply) => {
    const force = String(req.headers['dapr-force-shutdown'] ?? '').toLowerCase() === 'true';
    // Answer first, then stop: the caller gets its 204 before the listener closes.
    reply.raw.once('finish', () => deps.shutdown(force));
    return reply.code(204).send();
  });
}

/** Durations as Go prints them (`5s`, `500ms`); the path only for HTTP apps, as daprd reports it. */
function encodeHealth(h: NonNullable<SidecarMetadata['appConnection']['health']>, protocol: string) {
  const go = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
  return {
    ...(protocol.startsWith('http') || protocol === 'h2c' ? { healthCheckPath: h.path } : {}),
    healthProbeInterval: go(h.intervalMs),
    healthProbeTimeout: go(h.timeoutMs),
    healthThreshold: h.threshold,
  };
}

/** The JSON daprd's HTTP API writes for GET /v1.0/metadata: empty collections left out. */
function encodeMetadata(m: SidecarMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = { id: m.id, runtimeVersion: m.runtimeVersion };
  if (m.enabledFeatures.length > 0) out.enabledFeatures = m.enabledFeatures;
  if (m.components.length > 0) {
    out.components = m.components.map((c) => ({ name: c.name, type: c.type, version: c.version, ...(c.capabilities.length ? { capabilities: c.capabilities } : {}) }));
  }
  out.extended = m.extended;
  if (m.subscriptions.length > 0) {
    out.subscriptions = m.subscriptions.map((sub) => ({
      pubsubname: sub.pubsubName,
      topic: sub.topic,
      ...(Object.keys(sub.metadata).length > 0 ? { metadata: sub.metadata } : {}),
      ...(sub.rules.length > 0 ? { rules: sub.rules.map((r) => ({ match: r.match, path: r.path })) } : {}),
      deadLetterTopic: sub.deadLetterTopic ?? '',
      type: sub.type,
    }));
  }
  if (m.httpEndpoints.length > 0) out.httpEndpoints = m.httpEndpoints.map((name) => ({ name }));
  // Go's omitempty: zero values left out, so no app port means no `port` (but protocol and address stay).
  const { port, protocol, channelAddress, maxConcurrency, health } = m.appConnection;
  out.appConnectionProperties = {
    ...(port ? { port } : {}),
    ...(protocol ? { protocol } : {}),
    ...(channelAddress ? { channelAddress } : {}),
    ...(maxConcurrency > 0 ? { maxConcurrency } : {}), // daprd turns -1 (no limit) into 0
    ...(health ? { health: encodeHealth(health, protocol) } : {}),
  };
  // As daprd without placement and scheduler reports them.
  out.actorRuntime = { runtimeStatus: 'DISABLED', hostReady: false, placement: 'placement: disconnected' };
  out.workflows = {};
  if (m.resiliencies.length > 0) out.resiliencies = m.resiliencies.map((name) => ({ name }));
  return out;
}
