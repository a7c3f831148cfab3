import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { Logger } from 'pino';
import { malformed, review, type AdmissionAnswer } from './admission-review.js';
import type { InjectorOptions } from './sidecar-patch.js';

/** The API server caps objects at 3 MiB; anything larger is not one of its reviews. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** How often the files are read again, so a renewed certificate (cert-manager, a new Secret) is served without a restart. */
  reloadMs?: number;
}

export interface Webhook {
  server: Server;
  close(): Promise<void>;
}

/** The mutating webhook over HTTPS: POST /mutate takes AdmissionReviews; GET /healthz answers 200. */
export async function startWebhook(tls: TlsFiles, port: number, host: string, o: InjectorOptions, logger: Logger): Promise<Webhook> {
  let [cert, key] = await Promise.all([readFile(tls.certFile), readFile(tls.keyFile)]);
  const server = createServer({ cert, key }, (req, res) => {
    const send = (a: AdmissionAnswer) => {
      if (a.status !== 200) logger.warn({ status: a.status, reason: (a.review.response.status as { message?: string } | undefined)?.message }, 'admission request refused');
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.review));
    };
    req.on('error', () => res.destroy());
    if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200).end('ok');
    if (req.url?.split('?')[0] !== '/mutate') return void res.writeHead(404).end();
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      return send(malformed(undefined, `Content-Type must be application/json, got "${type}"`, 415));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return send(malformed(undefined, `the body is larger than ${MAX_BODY_BYTES} bytes`, 413));
      if (size === 0) return send(malformed(undefined, 'the body is empty'));
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        return send(malformed(undefined, `the body is not JSON: ${(err as Error).message}`));
      }
      send(review(body, o, logger));
    });
  });
  // The API server gives a webhook at most 30 s.
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const reload = setInterval(() => {
    void Promise.all([readFile(tls.certFile), readFile(tls.keyFile)]).then(
      ([c, k]) => {
        if (c.equals(cert) && k.equals(key)) return;
        server.setSecureContext({ cert: c, key: k });
        [cert, key] = [c, k];
        logger.info({ certFile: tls.certFile }, 'serving certificate reloaded');
      },
      (err: Error) => logger.warn({ err }, 'serving certificate not reloaded: keeping the current one'),
    ).catch((err: Error) => logger.warn({ err }, 'serving certificate not reloaded: keeping the current one'));
  }, tls.reloadMs ?? 60_000);
  reload.unref();
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(reload);
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
