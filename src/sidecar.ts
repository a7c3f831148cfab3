import type { RequestListener, Server } from 'node:http';
import type { Logger } from 'pino';
import { ownNamespace, type SidecarOptions } from './config/sidecar-options.js';
import { loadResources } from './config/resources.js';
import { loadComponentSpecs } from './config/load-components.js';
import { ResourceLoadError } from './config/resource-problem.js';
import { Health } from './core/health.js';
import { MetadataApi } from './core/metadata-api.js';
import { ComponentRegistry } from './registry/component-registry.js';
import { builtinComponents, builtinNameResolvers } from './registry/builtin.js';
import { ComponentHost } from './runtime/component-host.js';
import { defaultResourceDocuments } from './runtime/default-resources.js';
import { registeredComponents } from './runtime/registered-components.js';
import { waitForPort } from './runtime/wait-for-port.js';
import { loadResiliency } from './config/resiliency-resources.js';
import { loadConfiguration, type ConfigurationSpec } from './config/configuration.js';
import { resolveTracing } from './config/tracing-spec.js';
import { tracer } from './observability/tracing.js';
import { accessChecker } from './core/invocation/access-control.js';
import { loadHttpEndpoints, type HttpEndpoint } from './config/http-endpoints.js';
import { Resiliency } from './resiliency/resiliency.js';
import { componentCaller } from './resiliency/component-caller.js';
import type { EventChannel } from './runtime/grpc-event-channel.js';
import type { HttpAppChannel } from './runtime/app-channel.js';
import type { GrpcAppChannel } from './runtime/grpc-app-channel.js';
import type { AppHealth } from './runtime/app-health.js';
import { connectToApp } from './runtime/app-connection.js';
import type { LocalApp } from './core/invocation/types.js';
import { InvocationRuntime } from './runtime/invocation-runtime.js';
import { listenGrpc } from './transports/grpc/server.js';
import { createGuardedServer } from './transports/http/connection-guards.js';
import { startInputBindings, type RunningInputBinding } from './runtime/input-bindings.js';
import type { BindingReceiver } from './runtime/binding-receivers.js';
import { resolveSecretReferences } from './runtime/secret-references.js';
import type { SubscriptionDefinition } from './core/subscriptions/subscription.js';
import { loadSubscriptions } from './config/subscriptions.js';
import { fetchAppSubscriptions } from './runtime/subscriptions/app-subscriptions.js';
import { VERSION } from './version.js';
import { createBuildingBlocks, type BuildingBlocks } from './runtime/building-blocks.js';
import { buildApiServers, publicRoutes, type ApiServers } from './runtime/api-servers.js';
import { Metrics } from './observability/metrics.js';
import { startMetricsServer } from './observability/metrics-server.js';
import { observedInputBindings } from './observability/component-metrics.js';
import { metricsSpecOf } from './config/configuration.js';
import type { LoadContext } from './config/load-components.js';
import { hotReloadEnabled, startHotReload, type HotReload } from './runtime/hot-reload/hot-reload.js';
import { ResourceStatus } from './runtime/hot-reload/resource-status.js';
import { mechaKindFactories } from './runtime/mecha-kinds/index.js';
import type { MechaKind, MechaKindLoad } from './runtime/mecha-kinds/mecha-kind.js';

/** The composition root: resources → components → building-block cores → transports. */
export class Sidecar {
  readonly health: Health;
  /** The sidecar's calls into its app; undefined without `--app-port`. */
  readonly appChannel?: HttpAppChannel;
  /** The app as service invocation calls it, over HTTP or gRPC (`--app-protocol`). */
  readonly localApp?: LocalApp;
  readonly #grpcApp?: GrpcAppChannel;
  /** App health probing; undefined unless `--enable-app-health-check`. */
  readonly appHealth?: AppHealth;
  readonly #components: ComponentHost;
  readonly #resiliency = Resiliency.empty();
  #httpEndpoints = new Map<string, HttpEndpoint>();
  /** The merged `--config` files; empty without any. */
  #configuration: ConfigurationSpec = {};
  #accessControl?: ReturnType<typeof accessChecker>;
  readonly #blocks: BuildingBlocks;
  readonly #eventChannel?: EventChannel;
  readonly #bindingReceiver?: BindingReceiver;
  #inputBindings: RunningInputBinding[] = [];
  /** Set once the input bindings started (the app is reachable): a reloaded binding is then started anew. */
  #inputBindingsStarted = false;
  #declarativeSubscriptions: SubscriptionDefinition[] = [];
  readonly #invocation: InvocationRuntime;
  /** Workflows, routes, contracts: our own resource kinds, composed from the building blocks. */
  readonly #kinds: readonly MechaKind[];
  readonly #api: ApiServers;
  #grpcPort = 0;
  readonly #extraServers: Server[] = [];
  /** Recording only once `--enable-metrics` and the Configuration's `spec.metrics.enabled` allow it. */
  readonly metrics: Metrics;
  #metricsServer?: Server;
  /** Applies changes of the resources paths while serving; undefined when hot reload is off. */
  #hotReload?: HotReload;
  readonly #resourceStatus = new ResourceStatus();
  readonly #stopping = new AbortController();
  #markAppReady!: () => void;
  /** Resolves once the app is reachable and its subscriptions started; at once without `--app-port`. */
  readonly #appReady = new Promise<void>((resolve) => (this.#markAppReady = resolve));
  #stopped?: Promise<void>;
  /** Why the app must not be called now (failing health checks), or undefined. */
  readonly #appUnavailable = () => (this.appHealth && !this.appHealth.healthy ? 'app is not in a healthy state' : undefined);

  private constructor(
    readonly options: SidecarOptions,
    private readonly logger: Logger,
    private readonly onShutdownRequest: (force: boolean) => void,
  ) {
    this.health = new Health(options.appId);
    this.metrics = new Metrics(options.appId, process.env.NAMESPACE ?? '');
    const app = connectToApp(options, logger);
    this.appChannel = app.http;
    this.localApp = app.localApp;
    this.#grpcApp = app.grpc;
    this.appHealth = app.health;
    this.#eventChannel = app.events;
    this.#bindingReceiver = app.bindings;
    this.#components = new ComponentHost(logger, this.metrics);
    const blocks = createBuildingBlocks({
      appId: options.appId,
      components: this.#components,
      resiliency: this.#resiliency,
      secretScopes: () => this.#configuration.secrets?.scopes ?? [],
      appChannel: this.appChannel,
      eventChannel: this.#eventChannel,
      appUnavailable: this.#appUnavailable,
      logger,
      metrics: options.enableMetrics ? this.metrics : undefined,
    });
    this.#blocks = blocks;
    const metadata = new MetadataApi({
      appId: options.appId,
      runtimeVersion: VERSION,
      appConnection: {
        port: options.appPort ?? 0,
        protocol: options.appProtocol,
        channelAddress: options.appChannelAddress,
        maxConcurrency: options.appMaxConcurrency,
        health: options.appHealthCheck,
      },
      components: () => registeredComponents(this.#components),
      httpEndpoints: () => [...this.#httpEndpoints.keys()],
      resiliencies: () => this.#resiliency.resourceNames,
      subscriptions: () => blocks.subscriptions.list(),
      extended: (): Record<string, string> => ({
        ...(this.#hotReload ? { hotReload: this.#resourceStatus.toJson(true) } : {}),
        ...this.#kindsMetadata(),
      }),
    });
    this.#invocation = new InvocationRuntime(options, logger, this.localApp, {
      appUnavailable: this.#appUnavailable,
      httpEndpoint: (name) => this.#httpEndpoints.get(name),
      denied: (caller, method, verb) => this.#accessControl?.(caller, method, verb),
      resiliency: this.#resiliency,
      contracts: blocks.contracts,
    }, options.enableMetrics ? this.metrics : undefined);
    this.#kinds = mechaKindFactories.map((create) =>
      create({
        appId: options.appId,
        namespace: ownNamespace(),
        blocks,
        invocation: this.#invocation.api,
        components: this.#components,
        resiliency: this.#resiliency,
        dataDir: options.dataDir,
        logger,
        metrics: options.enableMetrics ? this.metrics : undefined,
        appReady: this.#appReady,
        kindChannels: () => this.#kinds.flatMap((kind) => kind.asyncApiChannels?.() ?? []),
      }),
    );
    this.#api = buildApiServers(options, blocks, { invocation: this.#invocation, metadata, health: this.health, shutdown: (force) => this.onShutdownRequest(force), observer: options.enableMetrics ? this.metrics : undefined, kinds: this.#kinds }, logger);
  }

  /** Loads resources and components, then opens the API. Throws ResourceLoadError or a startup error. */
  static async start(options: SidecarOptions, logger: Logger, onShutdownRequest: (force: boolean) => void): Promise<Sidecar> {
    const sidecar = new Sidecar(options, logger, onShutdownRequest);
    sidecar.#configuration = await loadConfiguration(options.configPaths, process.env);
    sidecar.#accessControl = accessChecker(sidecar.#configuration.accessControl);
    await tracer.configure(resolveTracing(sidecar.#configuration.tracing, process.env), options.appId, logger);
    await sidecar.#startMetrics();
    try {
      await sidecar.#startComponents();
    } catch (err) {
      sidecar.#metricsServer?.close();
      throw err;
    }
    try {
      await sidecar.#listen();
    } catch (err) {
      await sidecar.stop();
      throw err;
    }
    sidecar.health.done('api servers');
    await sidecar.#startHotReload();
    logger.info({ httpPort: sidecar.httpPort, grpcPort: sidecar.grpcPort, internalGrpcPort: sidecar.#invocation.port, addresses: options.listenAddresses, version: VERSION }, 'API listening');
    sidecar.#connectApp();
    return sidecar;
  }

  get grpcPort(): number {
    return this.#grpcPort;
  }

  get httpPort(): number {
    const addr = this.#api.http.server.address();
    return typeof addr === 'object' && addr ? addr.port : this.options.httpPort;
  }

  /** Graceful stop: refuse new requests, let in-flight ones finish within the budget, close components. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping.abort();
      this.appHealth?.stop();
      await this.#hotReload?.close();
      const budget = this.options.gracefulShutdownSeconds * 1000;
      const closing = Promise.all([
        this.#api.http.close(),
        new Promise((r) => (this.#metricsServer ? this.#metricsServer.close(r) : r(undefined))),
        ...this.#extraServers.map((s) => new Promise((r) => s.close(r))),
        new Promise<void>((r) => this.#api.grpc.tryShutdown(() => r())),
        this.#invocation.stop(),
        this.#blocks.subscriptions.close(),
        this.#blocks.configuration.close(),
        ...this.#inputBindings.map((b) => b.close().catch(() => undefined)),
      ]);
      const timer = setTimeout(() => {
        this.logger.warn({ seconds: this.options.gracefulShutdownSeconds }, 'graceful shutdown budget spent; closing connections');
        this.#api.http.server.closeAllConnections();
        for (const s of this.#extraServers) s.closeAllConnections();
        this.#metricsServer?.closeAllConnections();
        this.#api.grpc.forceShutdown();
        this.#invocation.forceStop();
      }, budget);
      await closing;
      clearTimeout(timer);
      for (const kind of [...this.#kinds].reverse()) await kind.close().catch((err: Error) => this.logger.warn({ kind: kind.kind, err: err.message }, 'closing failed'));
      await this.#components.close();
      this.appChannel?.close();
      this.#grpcApp?.close();
      this.#api.grpcProxy.close();
      await tracer.shutdown().catch((err: Error) => this.logger.warn({ err: err.message }, 'cannot send the last spans'));
      this.logger.info('sidecar stopped');
    })();
    return this.#stopped;
  }

  /** Metrics as daprd enables them: the flag, then the Configuration's `spec.metrics.enabled`. */
  async #startMetrics(): Promise<void> {
    const spec = metricsSpecOf(this.#configuration);
    if (!this.options.enableMetrics || spec.enabled === false) return;
    this.metrics.enable(spec);
    this.#resiliency.observer = this.metrics;
    if (this.appChannel) this.appChannel.observer = this.metrics;
    this.#metricsServer = await startMetricsServer(this.metrics, this.options.metricsListenAddress, this.options.metricsPort, this.logger);
  }

  #loadContext(): LoadContext {
    return {
      registry: new ComponentRegistry(builtinComponents),
      appId: this.options.appId,
      env: process.env,
      warn: (msg: string, fields: Record<string, unknown>) => this.logger.warn(fields, msg),
    };
  }

  async #startHotReload(): Promise<void> {
    if (this.options.resourcesPaths.length === 0 || !hotReloadEnabled(this.options.disableHotReload, this.#configuration)) return;
    this.#hotReload = await startHotReload(this.options.resourcesPaths, this.options.configPaths, {
      components: this.#components,
      load: this.#loadContext(),
      drainMs: this.options.gracefulShutdownSeconds * 1000,
      logger: this.logger.child({ scope: 'hot-reload' }),
      status: this.#resourceStatus,
      pubsubChanged: (name) => this.#blocks.subscriptions.restartOn(name),
      bindingChanged: (name) => this.#restartInputBinding(name),
      mechaKinds: this.#kinds,
      resiliency: (spec) => {
        this.#resiliency.update(spec);
        for (const name of this.#resiliency.resourceNames) this.metrics.resiliencyLoaded(name);
      },
      httpEndpoints: (endpoints) => (this.#httpEndpoints = endpoints),
      subscriptions: (definitions) => {
        this.#declarativeSubscriptions = definitions;
        return this.#blocks.subscriptions.replaceDeclarative(definitions);
      },
    });
  }

  /** Resolves once the resource file changes seen so far are applied; immediately without hot reload. */
  async reloadSettled(): Promise<void> {
    await this.#hotReload?.settled();
  }

  async #startComponents(): Promise<void> {
    const ctx = this.#loadContext();
    let specs;
    let kindLoads: MechaKindLoad[] = [];
    if (this.options.resourcesPaths.length > 0) {
      const loaded = await loadResources(this.options.resourcesPaths, ctx);
      const resiliency = loadResiliency(loaded.others, this.options.appId);
      const endpoints = loadHttpEndpoints(loaded.others, this.options.appId);
      const subscriptions = loadSubscriptions(loaded.others, this.options.appId);
      this.#declarativeSubscriptions = subscriptions.subscriptions;
      kindLoads = this.#kinds.map((kind) => kind.load(loaded.others));
      const problems = [...resiliency.problems, ...endpoints.problems, ...subscriptions.problems, ...kindLoads.flatMap((l) => l.problems)];
      if (problems.length > 0) throw new ResourceLoadError(problems);
      this.#resiliency.update(resiliency.spec);
      for (const name of this.#resiliency.resourceNames) this.metrics.resiliencyLoaded(name);
      this.#httpEndpoints = endpoints.endpoints;
      specs = loaded.components;
    } else {
      const loaded = loadComponentSpecs(defaultResourceDocuments(this.options.dataDir), ctx);
      if (loaded.problems.length > 0) throw new ResourceLoadError(loaded.problems);
      specs = loaded.specs;
      this.logger.info({ dataDir: this.options.dataDir }, 'no --resources-path: using embedded default components');
    }
    // Components whose metadata comes from a secret store start once the secret stores run.
    await this.#components.start(specs.filter((c) => !c.pendingSecrets));
    const pending = specs.filter((c) => c.pendingSecrets);
    if (pending.length > 0) {
      const resolved = await resolveSecretReferences(pending, this.#components, ctx.warn);
      if (resolved.problems.length > 0) {
        await this.#components.close();
        throw new ResourceLoadError(resolved.problems);
      }
      await this.#components.start(resolved.ready);
    }
    for (const load of kindLoads) await load.apply();
    this.health.done('components');
  }

  /** Each kind's running resources, as JSON under its own `extended` key (left out while it runs none). */
  #kindsMetadata(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const kind of this.#kinds) {
      const entries = kind.metadata();
      if (entries.length > 0) out[kind.metadataKey] = JSON.stringify(entries);
    }
    return out;
  }

  async #listen(): Promise<void> {
    const [first, ...rest] = this.options.listenAddresses;
    try {
      await this.#api.http.listen({ host: first, port: this.options.httpPort });
      for (const host of rest) await this.#listenExtra((req, res) => this.#api.http.routing(req, res), this.httpPort, host);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw new Error(`--dapr-http-port ${this.options.httpPort}: the port is already in use`);
      if (e.code === 'EADDRNOTAVAIL') throw new Error(`--dapr-listen-addresses: cannot listen on this machine's address ${first}`);
      throw err;
    }
    const { publicPort, publicListenAddress = first } = this.options;
    if (publicPort !== undefined) {
      await this.#listenExtra(publicRoutes((req, res) => this.#api.http.routing(req, res)), publicPort, publicListenAddress).catch((err: NodeJS.ErrnoException) => {
        throw new Error(`--dapr-public-port ${publicPort} on ${publicListenAddress}: ${err.code === 'EADDRINUSE' ? 'the port is already in use' : err.message}`);
      });
    }
    await this.#invocation.start(this.#configuration.nameResolution ?? {}, builtinNameResolvers, this.#configuration.accessControl);
    try {
      this.#grpcPort = await listenGrpc(this.#api.grpc, this.options.listenAddresses, this.options.grpcPort);
    } catch (err) {
      const text = (err as Error).message;
      if (/EADDRINUSE|address already in use/i.test(text)) throw new Error(`--dapr-grpc-port ${this.options.grpcPort}: the port is already in use`);
      throw new Error(`--dapr-grpc-port ${this.options.grpcPort}: cannot listen (${text})`);
    }
  }

  /** A plain HTTP listener beside fastify's (more listen addresses, the public port), closed with it. */
  async #listenExtra(handler: RequestListener, port: number, host: string): Promise<void> {
    const server = createGuardedServer(handler, this.options.maxHeaderBytes + 4096);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    this.#extraServers.push(server);
  }

  /** Declarative subscriptions, the app's own (`GET /dapr/subscribe`) and input bindings, started once the app is reachable. */
  async #startSubscriptions(): Promise<void> {
    if (!this.#eventChannel || this.#stopping.signal.aborted) return;
    if (this.appChannel) {
      // daprd asks for the app's actor configuration first; actors are not served here, so the answer is only logged.
      await this.appChannel
        .invoke({ method: 'GET', path: '/dapr/config', timeoutMs: 2000 })
        .then((r) => this.logger.debug({ status: r.status }, 'GET /dapr/config'), () => undefined);
    }
    const programmatic = await fetchAppSubscriptions(this.#eventChannel, this.options.appId, this.logger);
    if (this.#stopping.signal.aborted) return;
    await this.#blocks.subscriptions.start([...this.#declarativeSubscriptions, ...programmatic]);
    if (this.#bindingReceiver && !this.#stopping.signal.aborted) {
      this.#inputBindings = await this.#startInputBindings();
      this.#inputBindingsStarted = true;
    }
  }

  #startInputBindings(only?: string): Promise<RunningInputBinding[]> {
    const inbound = observedInputBindings(componentCaller(this.#resiliency, 'bindings', 'inbound'), this.metrics);
    const send = async (name: string, data: Buffer) => void (await this.#blocks.bindings.invoke(name, { operation: 'create', data, metadata: {} }));
    return startInputBindings(this.#components, this.#bindingReceiver!, send, inbound, this.logger.child({ scope: 'bindings' }), this.#appUnavailable, only);
  }

  /** A binding component was added, replaced or removed: its input side stops, and starts anew on the current one. */
  async #restartInputBinding(name: string): Promise<void> {
    if (!this.#inputBindingsStarted || this.#stopping.signal.aborted) return;
    const stopping = this.#inputBindings.filter((b) => b.name === name);
    this.#inputBindings = this.#inputBindings.filter((b) => b.name !== name);
    await Promise.all(stopping.map((b) => b.close().catch((err: Error) => this.logger.warn({ binding: name, err: err.message }, 'closing an input binding failed'))));
    this.#inputBindings.push(...(await this.#startInputBindings(name)));
  }

  #connectApp(): void {
    const { appPort, appChannelAddress } = this.options;
    if (appPort === undefined) {
      this.#markAppReady();
      this.health.done('app channel');
      return;
    }
    this.logger.info({ appPort }, 'waiting for the app to listen');
    const ready = () =>
      void this.#startSubscriptions()
        .catch((err: Error) => this.logger.error({ err: err.message }, 'starting subscriptions failed'))
        .finally(() => {
          this.#markAppReady();
          this.health.done('app channel');
          this.logger.info({ appPort }, 'app is reachable; sidecar ready');
        });
    waitForPort(appChannelAddress, appPort, this.#stopping.signal).then(
      () => {
        if (!this.appHealth) return ready();
        // With health checks the app counts as reachable from its first healthy probe.
        this.appHealth.once('change', ready);
        this.appHealth.start();
      },
      () => undefined,
    );
  }
}
