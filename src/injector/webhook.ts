import { createServer, type Server } from 'node:https';
import type { Logger } from 'pino';
import { AnnotationError, injectionRequested, type Pod } from './annotations.js';
import { alreadyInjected, sidecarPatch, type InjectorOptions } from './sidecar-patch.js';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface AdmissionReview {
  apiVersion?: string;
  kind?: string;
  request?: { uid?: string; kind?: { kind?: string }; operation?: string; object?: Pod; namespace?: string };
}

/** The AdmissionReview answer to one request: allowed, with a JSON patch when the pod is to be injected. */
export function review(body: unknown, o: InjectorOptions, logger?: Logger): { status: number; review: object } {
  const r = body as AdmissionReview;
  const uid = r?.request?.uid;
  const answer = (response: Record<string, unknown>) => ({
    status: 200,
    review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: uid ?? '', ...response } },
  });
  if (typeof r !== 'object' || r === null || r.kind !== 'AdmissionReview' || !r.request || typeof uid !== 'string') {
    return { status: 400, review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: uid ?? '', allowed: false, status: { code: 400, message: 'expected an admission.k8s.io/v1 AdmissionReview with request.uid' } } } };
  }
  const pod = r.request.object;
  if (r.request.kind?.kind !== 'Pod' || !pod) return answer({ allowed: true, warnings: [`mecha injector: ${r.request.kind?.kind ?? 'unknown'} objects are not injected, only Pods`] });
  if (!injectionRequested(pod)) return answer({ allowed: true });
  if (alreadyInjected(pod)) return answer({ allowed: true });
  try {
    const patch = sidecarPatch(pod, o);
    logger?.info({ pod: pod.metadata?.name ?? pod.metadata?.generateName, namespace: r.request.namespace }, 'sidecar injected');
    return answer({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') });
  } catch (err) {
    if (!(err instanceof AnnotationError)) throw err;
    // Dapr's injector refuses a pod it cannot configure, saying why.
    return answer({ allowed: false, status: { code: 400, message: `mecha injector: ${err.message}` } });
  }
}

/** The mutating webhook over HTTPS: POST /mutate takes AdmissionReviews; GET /healthz answers 200. */
export function startWebhook(tls: { cert: string | Buffer; key: string | Buffer }, port: number, host: string, o: InjectorOptions, logger: Logger): Promise<Server> {
  const server = createServer(tls, (req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200).end('ok');
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/mutate') return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let result: { status: number; review: object };
      try {
        result = review(JSON.parse(Buffer.concat(chunks).toString('utf8')), o, logger);
      } catch (err) {
        const message = err instanceof SyntaxError ? `the body is not JSON: ${err.message}` : (err as Error).message;
        result = { status: 400, review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '', allowed: false, status: { code: 400, message } } } };
      }
      res.writeHead(result.status, { 'content-type': 'application/json' }).end(JSON.stringify(result.review));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
