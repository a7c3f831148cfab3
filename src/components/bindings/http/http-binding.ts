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
    if (md.securityToken && md.securityTokenHeader) headers[md.securityTokenHeader] = md.securityToken;
    const res = await fetch(url, {
      method: verb,
      headers,
      body: WITH_BODY.has(verb) ? req.data : undefined,
      signal: AbortSignal.timeout(parseDuration(md.responseTimeout) ?? 30_000),
    });
    const body = Buffer.from(await res.arrayBuffer()).subarray(0, md.maxResponseBodySize);
    const metadata: Record<string, string> = { statusCode: String(res.status), status: `${res.status} ${res.statusText}` };
    res.headers.forEach((v, k) => (metadata[k] = v));
    const errorIfNot2XX = req.metadata.errorIfNot2XX !== undefined ? req.metadata.errorIfNot2XX === 'true' : md.errorIfNot2XX;
    if (errorIfNot2XX && (res.status < 200 || res.status > 299)) throw new Error(`received status code ${res.status}`);
    return { data: body, metadata };
  }

  async close(): Promise<void> {}
}

export function createHttpBinding(_ctx: ComponentContext): HttpBinding {
  return new HttpBinding();
}
