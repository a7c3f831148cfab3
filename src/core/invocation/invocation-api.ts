import { Errors } from '../../errors/codes.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import { addForwarded, stampIdentity } from './headers.js';
import { parseTargetId } from './target.js';
import { bufferBody } from '../../util/body-streams.js';
import type { Caller, ExternalInvoker, Headers, InvokeRequest, InvokeResponse, LocalApp, NameResolver, RemoteInvoker } from './types.js';

export interface HttpEndpointTarget {
  baseUrl: string;
  headers: Headers;
}

export interface InvocationDeps {
  appId: string;
  namespace: string;
  /** The app next to this sidecar; undefined without `--app-port`. */
  localApp?: LocalApp;
  /** Why the local app cannot take calls right now (unhealthy), or undefined when it can. */
  appUnavailable(): string | undefined;
  resolver: NameResolver;
  remote: RemoteInvoker;
  external: ExternalInvoker;
  httpEndpoint(name: string): HttpEndpointTarget | undefined;
  /** Callee-side access control: undefined when allowed, else the reason. */
  denied?(caller: Caller, method: string, verb: string): string | undefined;
  host: { address: string; name: string };
}

/** Built-in retry of sidecar-to-sidecar calls: 3 attempts, 1 s apart, on UNAVAILABLE or UNAUTHENTICATED. */
const BUILT_IN_ATTEMPTS = 3;
const BUILT_IN_BACKOFF_MS = 1000;

/** Service invocation: where a call goes, what it carries, and daprd's errors when it cannot get there. */
export class InvocationApi {
  constructor(private readonly d: InvocationDeps) {}

  /** A call from our app (HTTP or gRPC API) to `targetId`. `replayable` bodies may be retried. */
  async invoke(targetId: string, req: InvokeRequest, replayable?: Buffer): Promise<InvokeResponse> {
    const fail = (err: unknown, kind = Errors.DirectInvoke) =>
      new SidecarError(kind, `failed to invoke, id: ${targetId}, err: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    let target: { appId: string; namespace: string };
    try {
      target = parseTargetId(targetId, this.d.namespace);
    } catch (err) {
      throw fail(err);
    }
    const caller: Caller = { appId: this.d.appId, namespace: this.d.namespace };

    if (/^https?:\/\//i.test(target.appId)) return this.d.external.invoke(target.appId, req).catch((e: unknown) => Promise.reject(fail(e)));
    const endpoint = this.d.httpEndpoint(target.appId);
    if (endpoint) return this.d.external.invoke(endpoint.baseUrl, req, endpoint.headers).catch((e: unknown) => Promise.reject(fail(e)));

    if (target.appId === this.d.appId && target.namespace === this.d.namespace) {
      if (!this.d.localApp) throw fail(new Error('cannot invoke local endpoint: app channel not initialized'));
      return this.#callApp({ ...req, headers: stampIdentity(req.headers, caller, this.d.appId) }).catch((e: unknown) => Promise.reject(e instanceof SidecarError ? e : fail(e)));
    }

    const outgoing = { ...req, headers: stampIdentity(addForwarded(req.headers, this.d.host.address, this.d.host.name), caller, target.appId) };
    for (let attempt = 1; ; attempt++) {
      try {
        const addresses = await this.d.resolver.resolve(target.appId, target.namespace);
        if (addresses.length === 0) throw new Error(`couldn't find service: ${target.appId}`);
        const body = replayable ? bufferBody(replayable) : outgoing.body;
        return await this.d.remote.invoke(addresses[0], target, { ...outgoing, body });
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 7) throw fail(err, Errors.DirectInvokeForbidden);
        const transient = code === 14 || code === 16;
        if (!transient || !replayable || attempt >= BUILT_IN_ATTEMPTS) throw fail(err);
        await new Promise((r) => setTimeout(r, BUILT_IN_BACKOFF_MS));
      }
    }
  }

  /**
   * A call that arrived from another sidecar for our app: access control first, then app health,
   * then the app. Errors carry gRPC codes so the caller's sidecar maps them (403 on a denial).
   */
  async handleInbound(req: InvokeRequest, caller: Caller): Promise<InvokeResponse> {
    const denial = this.d.denied?.(caller, req.method, req.verb);
    if (denial) throw new SidecarError(Errors.DirectInvokeForbidden, denial);
    return this.#callApp({ ...req, headers: stampIdentity(req.headers, caller, this.d.appId) });
  }

  #callApp(req: InvokeRequest): Promise<InvokeResponse> {
    if (!this.d.localApp) throw new SidecarError(Errors.DirectInvoke, 'app channel is not initialized');
    const unavailable = this.d.appUnavailable();
    if (unavailable) throw new SidecarError(Errors.DirectInvoke, unavailable);
    return this.d.localApp.invoke(req);
  }
}
