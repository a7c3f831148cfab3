import { Errors } from '../../errors/codes.js';
import { goStatusText } from '../../errors/grpc-code.js';
import { SidecarError } from '../../errors/sidecar-error.js';
import { addForwarded, stampIdentity } from './headers.js';
import { parseTargetId } from './target.js';
import type { PolicyDefinition, RetryPolicy } from '../../resiliency/policies.js';
import type { Resiliency } from '../../resiliency/resiliency.js';
import { runWithPolicy } from '../../resiliency/runner.js';
import { bufferBody, readAll } from '../../util/body-streams.js';
import type { ContractGate } from '../contract-gate.js';
import type { Caller, ExternalInvoker, Headers, InvokeRequest, InvokeResponse, LocalApp, NameResolver, RemoteInvoker } from './types.js';

export interface HttpEndpointTarget {
  baseUrl: string;
  headers: Headers;
  tls?: { ca?: string; cert?: string; key?: string };
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
  resiliency: Resiliency;
  /** Sees calls that arrive from other sidecars (metrics). */
  observer?: InboundObserver;
  /** The callees' OpenAPI contracts (checked before a call leaves) and our app's (its answers, logged). */
  contracts?: ContractGate;
}

export interface InboundObserver {
  invocationReceived(callerAppId: string): void;
  invocationResponded(callerAppId: string, status: number): void;
}

/** A proxied gRPC call's destination: the local app, or another sidecar's internal address. */
export type ProxyRoute = { local: true; callee: string } | { local: false; address: string; callee: string; calleeNamespace: string; caller: string };

/** An answer outside 200-399, thrown so retry policies see it as a failure; it carries the buffered response. */
class StatusFailure extends Error {
  constructor(readonly response: InvokeResponse) {
    super(`the app answered with status ${response.status}`);
  }
}

async function failOnStatus(r: InvokeResponse): Promise<InvokeResponse> {
  if (r.status >= 200 && r.status <= 399) return r;
  throw new StatusFailure({ ...r, body: bufferBody(await readAll(r.body)) });
}

/** A policy's `matching` codes decide: HTTP statuses for app answers, gRPC codes for transport errors. */
function matchesRetry(err: unknown, retry: RetryPolicy): boolean {
  if (err instanceof StatusFailure) return retry.httpStatusCodes ? retry.httpStatusCodes.has(err.response.status) : true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number' && retry.grpcStatusCodes) return retry.grpcStatusCodes.has(code);
  return !retry.grpcStatusCodes;
}

/** Service invocation: where a call goes, what it carries, and daprd's errors when it cannot get there. */
export class InvocationApi {
  constructor(private readonly d: InvocationDeps) {}

  /** A call from our app (HTTP or gRPC API) to `targetId`. `replayable` bodies may be retried. */
  async invoke(targetId: string, req: InvokeRequest, replayable?: Buffer): Promise<InvokeResponse> {
    const fail = (err: unknown, kind = Errors.DirectInvoke) =>
      new SidecarError(kind, `failed to invoke, id: ${targetId}, err: ${goStatusText(err) ?? (err instanceof Error ? err.message : String(err))}`, { cause: err });
    let target: { appId: string; namespace: string };
    try {
      target = parseTargetId(targetId, this.d.namespace);
    } catch (err) {
      throw fail(err);
    }
    const caller: Caller = { appId: this.d.appId, namespace: this.d.namespace };

    const endpoint = this.d.httpEndpoint(target.appId);
    const isUrl = /^https?:\/\//i.test(target.appId);
    const isSelf = !isUrl && !endpoint && this.#isOwn(target);
    if (isSelf && !this.d.localApp) throw fail(new Error('cannot invoke local endpoint: app channel not initialized'));
    const checks = this.d.contracts?.checks;
    if (checks && !isUrl && !endpoint && checks.coversApp(target.appId)) {
      // The callee's contract needs the whole body; a streamed one is read here, and replayable from now on.
      replayable ??= await readAll(req.body);
      checks.invoke(target.appId, req, replayable);
    }
    const headers = isUrl || endpoint || isSelf ? req.headers : addForwarded(req.headers, this.d.host.address, this.d.host.name);
    const outgoing = { ...req, headers: isUrl || endpoint ? headers : stampIdentity(headers, caller, target.appId) };

    const send = async (body: AsyncIterable<Buffer>, buffered?: Buffer): Promise<InvokeResponse> => {
      const call = { ...outgoing, body, buffered };
      if (isUrl) return this.d.external.invoke(target.appId, call);
      if (endpoint) return this.d.external.invoke(endpoint.baseUrl, call, endpoint.headers, endpoint.tls);
      // A call to our own app: this sidecar is the callee's too, so the answer meets the app's contract here.
      if (isSelf) return this.#checkedAnswer(outgoing, await this.#callApp(call));
      const addresses = await this.d.resolver.resolve(target.appId, target.namespace);
      if (addresses.length === 0) throw new Error(`couldn't find service: ${target.appId}`);
      return this.d.remote.invoke(addresses[0], target, call, buffered);
    };

    const res = this.d.resiliency;
    const policy = res.appPolicy(isUrl || endpoint ? targetId : target.appId);
    const breaker = res.breaker(policy);
    // With a policy, a status outside 200-399 counts as a failure (retries, breakers), but the last
    // answer is still relayed as it is. Streamed requests cannot be replayed, so they run once.
    const attempt = async (body: AsyncIterable<Buffer>, buffered?: Buffer) => (policy ? failOnStatus(await send(body, buffered)) : send(body, buffered));
    try {
      if (!replayable) return await runWithPolicy(policy && { ...policy, retry: undefined }, breaker, () => send(outgoing.body));
      const replay = () => attempt(bufferBody(replayable), replayable);
      if (policy?.retry || isUrl || endpoint || isSelf) return await runWithPolicy(policy, breaker, replay, matchesRetry);
      const builtIn: PolicyDefinition = { name: 'DaprBuiltInServiceRetries', timeoutMs: policy?.timeoutMs, retry: res.builtInServiceRetry() };
      return await runWithPolicy(builtIn, breaker, replay, matchesRetry);
    } catch (err) {
      if (err instanceof StatusFailure) return err.response;
      if (err instanceof SidecarError) throw err;
      throw fail(err, (err as { code?: number }).code === 7 ? Errors.DirectInvokeForbidden : Errors.DirectInvoke);
    }
  }

  /**
   * A call that arrived from another sidecar for our app: access control first, then app health,
   * then the app. Errors carry gRPC codes so the caller's sidecar maps them (403 on a denial).
   */
  async handleInbound(req: InvokeRequest, caller: Caller): Promise<InvokeResponse> {
    this.d.observer?.invocationReceived(caller.appId);
    const denial = this.d.denied?.(caller, req.method, req.verb);
    if (denial) throw new SidecarError(Errors.DirectInvokeForbidden, denial);
    const res = await this.#callApp({ ...req, headers: stampIdentity(req.headers, caller, this.d.appId) });
    this.d.observer?.invocationResponded(caller.appId, res.status);
    return this.#checkedAnswer(req, res);
  }

  /** Our app's answer, checked (warn only) against the app's own contract when it has one. */
  #checkedAnswer(req: InvokeRequest, res: InvokeResponse): Promise<InvokeResponse> | InvokeResponse {
    const checks = this.d.contracts?.checks;
    return checks?.coversApp(this.d.appId) ? checks.answer(req, res) : res;
  }

  /**
   * Where a proxied gRPC call (`dapr-app-id` metadata, any method) goes: our own app, or the target's
   * sidecar. `caller` is set when the call came from another sidecar; access control applies then.
   */
  async routeProxied(targetId: string | undefined, method: string, caller?: Caller): Promise<ProxyRoute> {
    if (!targetId) throw new SidecarError(Errors.GrpcProxy, 'failed to proxy request: required metadata dapr-app-id or dapr-callee-app-id not found');
    let target: { appId: string; namespace: string };
    try {
      target = parseTargetId(targetId, this.d.namespace);
    } catch (err) {
      throw new SidecarError(Errors.GrpcProxy, `failed to proxy request: ${(err as Error).message}`);
    }
    if (this.#isOwn(target)) {
      if (caller) {
        const denial = this.d.denied?.(caller, method, 'NONE');
        if (denial) throw new SidecarError(Errors.DirectInvokeForbidden, denial);
      }
      if (!this.d.localApp) throw new SidecarError(Errors.DirectInvoke, 'failed to proxy request: app channel is not initialized');
      const unavailable = this.d.appUnavailable();
      if (unavailable) throw new SidecarError(Errors.DirectInvoke, `failed to proxy request: ${unavailable}`);
      return { local: true, callee: target.appId };
    }
    if (caller) throw new SidecarError(Errors.DirectInvoke, `failed to proxy request: app ${target.appId} is not served by this sidecar`);
    const addresses = await this.d.resolver.resolve(target.appId, target.namespace);
    if (addresses.length === 0) throw new SidecarError(Errors.DirectInvoke, `failed to proxy request: couldn't find service: ${target.appId}`);
    return { local: false, address: addresses[0]!, callee: target.appId, calleeNamespace: target.namespace, caller: this.d.appId };
  }

  /** Our own app-id; without NAMESPACE the sidecar is in daprd's self-hosted namespace, `default`. */
  #isOwn(target: { appId: string; namespace: string }): boolean {
    const own = this.d.namespace || 'default';
    return target.appId === this.d.appId && (target.namespace || 'default') === own;
  }

  #callApp(req: InvokeRequest): Promise<InvokeResponse> {
    if (!this.d.localApp) throw new SidecarError(Errors.DirectInvoke, 'app channel is not initialized');
    const unavailable = this.d.appUnavailable();
    if (unavailable) throw new SidecarError(Errors.DirectInvoke, unavailable);
    return this.d.localApp.invoke(req);
  }
}
