import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { BindingRequest, BindingResponse, OutputBinding } from '../../../contracts/binding.js';
import type { ComponentContext } from '../../../contracts/component.js';
import { parseDuration } from '../../../util/duration.js';

export type HttpBindingMetadata = {
  url: string;
  responseTimeout: string;
  maxResponseBodySize: number;
  securityToken?: string;
  securityTokenHeader?: string;
  errorIfNot2XX: boolean;
};

const OPERATIONS = ['create', 'get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace'];
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Calls an HTTP endpoint as daprd's http binding does: `create` is POST, the others their verb; request
 * metadata `path` extends the URL and keys starting with an uppercase letter become headers; the answer's
 * status and headers come back as response metadata.
 */
class HttpBinding implements OutputBinding {
  #md?: HttpBindingMetadata;
  // Keep-alive connections: a binding is usually called over and over against the same host.
  readonly #agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  async init(md: HttpBindingMetadata): Promise<void> {
    new URL(md.url); // fails early on a malformed URL
    this.#md = md;
  }

  operations() {
    return OPERATIONS;
  }

  async invoke(req: BindingRequest): Promise<BindingResponse> {
    const md = this.#md!;
    const verb = req.operation === 'create' ? 'POST' : req.operation.toUpperCase();
    const url = md.url.replace(/\/+$/, '') + (req.metadata.path ? `/${req.metadata.path.replace(/^\/+/, '')}` : '');
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', accept: 'application/json; charset=utf-8' };
    for (const [k, v] of Object.entries(req.metadata)) if (/^[A-Z]/.test(k)) headers[k] = v;
    // The sidecar's span, which daprd passes in the metadata.
    for (const k of ['traceparent', 'tracestate']) if (req.metadata[k]) headers[k] = req.metadata[k];
    if (md.securityToken && md.securityTokenHeader) headers[md.securityTokenHeader] = md.securityToken;
    const res = await call(this.#agents, url, verb, headers, WITH_BODY.has(verb) ? req.data : undefined, parseDuration(md.responseTimeout) ?? 30_000);
    const body = res.body.subarray(0, md.maxResponseBodySize);
    const metadata: Record<string, string> = { statusCode: String(res.status), status: `${res.status} ${res.statusText}` };
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) metadata[k] = Array.isArray(v) ? v.join(', ') : v;
    const errorIfNot2XX = req.metadata.errorIfNot2XX !== undefined ? req.metadata.errorIfNot2XX === 'true' : md.errorIfNot2XX;
    if (errorIfNot2XX && (res.status < 200 || res.status > 299)) throw new Error(`received status code ${res.status}`);
    return { data: body, metadata };
  }

  async close(): Promise<void> {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}

/** One request with node:http (lighter per call than fetch), bounded by `timeoutMs`. */
function call(agents: { http: HttpAgent; https: HttpsAgent }, url: string, method: string, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number) {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const agent = target.protocol === 'https:' ? agents.https : agents.http;
  return new Promise<{ status: number; statusText: string; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const r = send(target, { method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks) }));
      res.once('error', reject);
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer from ${target.origin} within ${timeoutMs} ms`)));
    r.once('error', reject);
    r.end(body);
  });
}

export function createHttpBinding(_ctx: ComponentContext): HttpBinding {
  return new HttpBinding();
}
