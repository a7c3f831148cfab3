import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { responseHeaders, withBodyLength } from '../core/invocation/headers.js';
import type { ExternalInvoker, Headers, InvokeRequest, InvokeResponse, LocalApp } from '../core/invocation/types.js';
import type { HttpAppChannel } from './app-channel.js';
import { writeBody } from '../util/body-streams.js';

const pathOf = (req: InvokeRequest) => `/${req.method}${req.query ? `?${req.query}` : ''}`;

/** An HTTP request needs a verb: a gRPC caller that named none (or NONE, or CONNECT) is refused, as daprd's HTTP channel does. */
function httpVerbOf(req: InvokeRequest): string {
  if (!req.verb) throw new Error('missing HTTP extension field');
  const verb = req.verb.toUpperCase();
  if (verb === 'NONE' || verb === 'CONNECT') throw new Error('invalid HTTP verb');
  return verb;
}

/** The local app as the invocation core sees it: the HTTP app channel with bodies streamed both ways. */
export function httpLocalApp(channel: HttpAppChannel): LocalApp {
  return {
    async invoke(req) {
      const res = await channel.stream({ method: httpVerbOf(req), path: pathOf(req), headers: withBodyLength(req), body: req.body });
      return { status: res.statusCode ?? 500, headers: responseHeaders(res.headers), body: res };
    },
  };
}

/** Direct calls to `http(s)://` targets and HTTPEndpoint base URLs, with the endpoint's client TLS when it has one. */
export const externalHttp: ExternalInvoker = {
  async invoke(baseUrl: string, req: InvokeRequest, extraHeaders: Headers = {}, tls?: { ca?: string; cert?: string; key?: string }): Promise<InvokeResponse> {
    const base = new URL(baseUrl);
    const url = new URL(`${base.pathname.replace(/\/+$/, '')}${pathOf(req)}`, base);
    const headers: Record<string, string[]> = { ...withBodyLength(req), ...extraHeaders };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = send(url, { method: httpVerbOf(req), headers, ...(tls ?? {}) }, resolve);
      r.once('error', reject);
      void writeBody(r, req.body);
    });
    return { status: res.statusCode ?? 502, headers: responseHeaders(res.headers), body: res };
  },
};
