import type { Caller, Headers, InvokeRequest } from './types.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate', 'host', 'content-length']);
const STAMPED = new Set(['dapr-caller-app-id', 'dapr-callee-app-id', 'dapr-caller-namespace']);
const NEVER_FORWARDED = new Set(['dapr-app-id', 'dapr-api-token']);

/** Headers of an incoming API request as they travel on: lowercase, without our own and hop-by-hop ones. */
export function forwardableHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const out: Headers = {};
  const connectionTokens = new Set(
    String(raw.connection ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [name, value] of Object.entries(raw)) {
    const key = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(key) || connectionTokens.has(key) || NEVER_FORWARDED.has(key)) continue;
    out[key] = Array.isArray(value) ? [...value] : [value];
  }
  return out;
}

/** Removes caller-supplied identity headers and stamps the real ones (daprd re-stamps them on every hop). */
export function stampIdentity(headers: Headers, caller: Caller, calleeAppId: string): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers)) if (!STAMPED.has(k)) out[k] = v;
  out['dapr-caller-app-id'] = [caller.appId];
  out['dapr-callee-app-id'] = [calleeAppId];
  out['dapr-caller-namespace'] = [caller.namespace];
  return out;
}

/** X-Forwarded-For / X-Forwarded-Host / Forwarded, as the calling sidecar adds them. */
export function addForwarded(headers: Headers, hostAddress: string, hostName: string): Headers {
  const out = { ...headers };
  out['x-forwarded-for'] = [...(out['x-forwarded-for'] ?? []), hostAddress];
  out['x-forwarded-host'] = [...(out['x-forwarded-host'] ?? []), hostName];
  out.forwarded = [...(out.forwarded ?? []), `for=${hostAddress};by=${hostAddress};host=${hostName}`];
  return out;
}

/** Response headers going back to a caller: hop-by-hop ones dropped. */
export function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(raw)) {
    const key = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(key)) continue;
    out[key] = Array.isArray(value) ? [...value] : [value];
  }
  return out;
}

/** The headers an HTTP request to an app or URL carries: a body already in memory goes with its length, as daprd sends it. */
export function withBodyLength(req: InvokeRequest): Headers {
  return req.buffered && req.buffered.length > 0 ? { ...req.headers, 'content-length': [String(req.buffered.length)] } : req.headers;
}
