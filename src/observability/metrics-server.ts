import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/**
 * The Prometheus endpoint on `--metrics-listen-address`:`--metrics-port`. Like daprd it answers the
 * scrape on any path and method. A port already in use is logged and the sidecar keeps running without the
 * endpoint (daprd exits instead; see docs/observability.md).
 */
export async function startMetricsServer(metrics: Metrics, host: string, port: number, logger: Logger): Promise<Server | undefined> {
  const server = createServer((req, res) => {
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(err.message),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  } catch (err) {
    logger.error({ address: host, port, err: (err as Error).message }, 'metrics server not started: cannot listen');
    return undefined;
  }
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  logger.info(`metrics server started on ${host}:${bound}/`);
  return server;
}
