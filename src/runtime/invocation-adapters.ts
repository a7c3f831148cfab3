import { Readable } from 'node:stream';
import { responseHeaders } from '../core/invocation/headers.js';
import type { ExternalInvoker, Headers, InvokeRequest, InvokeResponse, LocalApp } from '../core/invocation/types.js';
import type { HttpAppChannel } from './app-channel.js';

const pathOf = (req: InvokeRequest) => `/${req.method}${req.query ? `?${req.query}` : ''}`;

/** The local app as the invocation core sees it: the HTTP app channel with bodies streamed both ways. */
export function httpLocalApp(channel: HttpAppChannel): LocalApp {
  return {
    async invoke(req) {
      const res = await channel.stream({ method: req.verb, path: pathOf(req), headers: req.headers, body: req.body });
      return { status: res.statusCode ?? 500, headers: responseHeaders(res.headers), body: res };
    },
  };
}

/** Direct calls to `http(s)://` targets and HTTPEndpoint base URLs. */
export const externalHttp: ExternalInvoker = {
  async invoke(baseUrl: string, req: InvokeRequest, extraHeaders: Headers = {}): Promise<InvokeResponse> {
    const url = `${baseUrl.replace(/\/+$/, '')}${pathOf(req)}`;
    const headers = new globalThis.Headers();
    for (const [k, values] of Object.entries({ ...req.headers, ...extraHeaders })) for (const v of values) headers.append(k, v);
    const hasBody = req.verb !== 'GET' && req.verb !== 'HEAD';
    const res = await fetch(url, {
      method: req.verb,
      headers,
      body: hasBody ? Readable.from(req.body) : undefined,
      ...(hasBody ? { duplex: 'half' } : {}),
      redirect: 'manual',
    } as RequestInit);
    const out: Headers = {};
    res.headers.forEach((v, k) => (out[k] = [...(out[k] ?? []), v]));
    return { status: res.status, headers: responseHeaders(out), body: res.body ? (Readable.fromWeb(res.body as never) as AsyncIterable<Buffer>) : Readable.from([]) };
  },
};
