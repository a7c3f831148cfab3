import { hostname, networkInterfaces } from 'node:os';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { validateAdapterMetadata } from '../config/adapter-metadata.js';
import { ownNamespace, type SidecarOptions } from '../config/sidecar-options.js';
import type { ComponentDescriptor } from '../contracts/component.js';
import type { NameResolution } from '../contracts/nameresolution.js';
import { InvocationApi, type InvocationDeps } from '../core/invocation/invocation-api.js';
import { ComponentRegistry } from '../registry/component-registry.js';
import { InternalInvoker } from '../transports/grpc/internal-client.js';
import { buildInternalServer } from '../transports/grpc/internal-server.js';
import { listenGrpc } from '../transports/grpc/server.js';
import { proxyUnknownMethods, type ProxyDirector } from '../transports/grpc/proxy.js';
import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import type { LocalApp } from '../core/invocation/types.js';
import type { AccessControlSpec } from '../config/configuration.js';
import { callerOf } from '../transports/grpc/peer-security.js';
import type { SidecarMtls } from '../security/mtls.js';
import { externalHttp } from './invocation-adapters.js';
import type { Metrics } from '../observability/metrics.js';
import { observedRemote } from '../observability/invocation-metrics.js';

/** Configuration `spec.nameResolution`: which resolver, and its free-form configuration. */
export interface NameResolutionSpec {
  component?: string;
  version?: string;
  configuration?: Record<string, unknown>;
}

/**
 * Everything service invocation needs around its core: the name resolver (and our registration in it),
 * the internal gRPC server other sidecars call, and the pooled client we call them with.
 */
export class InvocationRuntime {
  readonly api: InvocationApi;
  #server?: Server;
  readonly #client: InternalInvoker;
  #resolver?: NameResolution;
  #proxy?: { close(): void };
  #port = 0;
  /** Set with `--enable-mtls` once the sidecar has its certificate. */
  #mtls?: SidecarMtls;

  constructor(
    private readonly o: SidecarOptions,
    private readonly logger: Logger,
    localApp: LocalApp | undefined,
    extra: Pick<InvocationDeps, 'appUnavailable' | 'httpEndpoint' | 'denied' | 'resiliency' | 'contracts'>,
    metrics?: Metrics,
  ) {
    this.#client = new InternalInvoker(o.maxRequestBytes);
    const resolver = {
      resolve: (appId: string, ns: string) => (this.#resolver ? this.#resolver.resolve(appId, ns) : Promise.resolve([])),
    };
    this.api = new InvocationApi({
      appId: o.appId,
      namespace: process.env.NAMESPACE ?? '',
      localApp,
      resolver,
      remote: metrics ? observedRemote(this.#client, metrics) : this.#client,
      observer: metrics,
      external: externalHttp,
      host: { address: advertisedHost(this.listenAddress), name: hostname() },
      ...extra,
    });
  }

  get listenAddress(): string {
    return this.o.internalGrpcListenAddress ?? this.o.listenAddresses[0];
  }

  get port(): number {
    return this.#port;
  }

  /**
   * Directs gRPC calls carrying `dapr-app-id` (daprd's proxy). From our app (`from: 'app'`): to our own
   * app or the target's sidecar, stamped with both app-ids. From another sidecar: to our app only.
   */
  proxyDirector(from: 'app' | 'sidecar'): ProxyDirector {
    return async (method, md, peer) => {
      const targetId = String(md.get('dapr-app-id')[0] ?? md.get('dapr-callee-app-id')[0] ?? '') || undefined;
      const caller = from === 'sidecar' ? callerOf(this.#mtls, peer, (name) => String(md.get(name)[0] ?? '')) : undefined;
      const route = await this.api.routeProxied(targetId, method, caller);
      if (!route.local) {
        md.set('dapr-caller-app-id', route.caller);
        md.set('dapr-callee-app-id', route.callee);
        const target = { appId: route.callee, namespace: route.calleeNamespace };
        const secure = this.#mtls && { key: `${target.appId}.${target.namespace}`, ...this.#mtls.channel(target) };
        return { address: route.address, metadata: md, secure };
      }
      if (!this.o.appProtocol.startsWith('grpc') || this.o.appPort === undefined) {
        throw new SidecarError(Errors.DirectInvoke, `failed to proxy request: the app of ${route.callee} does not speak gRPC (--app-protocol ${this.o.appProtocol})`);
      }
      if (this.o.appApiToken) md.set('dapr-api-token', this.o.appApiToken);
      const host = this.o.appChannelAddress;
      return { address: `${host.includes(':') ? `[${host}]` : host}:${this.o.appPort}`, metadata: md };
    };
  }

  /**
   * Opens the internal port and announces this sidecar to the resolver. With `--enable-mtls` this first
   * gets the sidecar's certificate, and the port then takes only mTLS calls.
   */
  async start(spec: NameResolutionSpec, resolvers: readonly ComponentDescriptor[], accessControl?: AccessControlSpec): Promise<void> {
    if (this.o.mtls) {
      // Loaded only with mTLS on, so a plaintext sidecar starts without the X.509 libraries.
      const { SidecarMtls } = await import('../security/mtls.js');
      this.#mtls = await SidecarMtls.start(
        {
          ...this.o.mtls,
          staticCertificate: this.o.mtls.certificate,
          appId: this.o.appId,
          namespace: ownNamespace(),
          trustDomain: accessControl?.trustDomain ?? 'public',
          acceptedTrustDomains: (accessControl?.policies ?? []).map((p) => p.trustDomain).filter((td): td is string => Boolean(td)),
        },
        this.logger,
      );
      this.#client.secure(this.#mtls);
    }
    this.#server = buildInternalServer(this.api, this.o.maxRequestBytes, this.logger, this.#mtls);
    this.#proxy = proxyUnknownMethods(this.#server, this.proxyDirector('sidecar'), this.o.maxRequestBytes);
    try {
      this.#port = await listenGrpc(this.#server, [this.listenAddress], this.o.internalGrpcPort ?? 0, this.#mtls?.serverCredentials());
      this.#mtls?.refuseUnverified(this.#server);
    } catch (err) {
      throw new Error(`--dapr-internal-grpc-port ${this.o.internalGrpcPort ?? 0}: cannot listen (${(err as Error).message})`);
    }
    this.#resolver = await createResolver({ ...spec, component: spec.component || (this.o.mode === 'kubernetes' ? 'kubernetes' : 'sqlite') }, resolvers, this.logger);
    if (this.o.appId) {
      await this.#resolver.register({ appId: this.o.appId, namespace: process.env.NAMESPACE ?? '', host: advertisedHost(this.listenAddress), port: this.#port });
    }
  }

  async stop(): Promise<void> {
    await this.#resolver?.close().catch(() => undefined);
    this.#mtls?.close();
    this.#client.close();
    this.#proxy?.close();
    await new Promise<void>((r) => (this.#server ? this.#server.tryShutdown(() => r()) : r()));
  }

  forceStop(): void {
    this.#server?.forceShutdown();
  }
}

async function createResolver(spec: NameResolutionSpec, resolvers: readonly ComponentDescriptor[], logger: Logger): Promise<NameResolution> {
  const type = `nameresolution.${spec.component || 'sqlite'}`;
  const resolved = new ComponentRegistry(resolvers).resolve(type, spec.version);
  if (!resolved.ok) throw new Error(`spec.nameResolution.component: unknown name resolver "${spec.component}"; known: ${resolved.known.join(', ')}`);
  const raw = Object.fromEntries(Object.entries(spec.configuration ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  const checked = validateAdapterMetadata(resolved.descriptor, raw);
  if (checked.errors.length > 0) {
    throw new Error(checked.errors.map((e) => `spec.nameResolution.configuration.${e.field.replace(/^spec\.metadata\./, '')}: ${e.message}`).join('; '));
  }
  const create = await resolved.descriptor.load();
  const resolver = create({ name: type, logger: logger.child({ component: type }) }) as NameResolution;
  await resolver.init(checked.value);
  return resolver;
}

/** The address other sidecars reach us on: the listen address, or this host's own when listening on all. */
function advertisedHost(listen: string): string {
  if (listen !== '0.0.0.0' && listen !== '::') return listen;
  if (process.env.DAPR_HOST_IP) return process.env.DAPR_HOST_IP;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
