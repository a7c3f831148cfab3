import type { ResourceDocument } from '../config/resource-documents.js';
import type { ResourceProblem } from '../config/resource-problem.js';
import { readMechaResources } from '../config/mecha-resources.js';
import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import type { KindChannel, MechaKind, MechaKindDeps, MechaKindFactory, MechaKindLoad } from '../runtime/mecha-kinds/mecha-kind.js';
import { registerRouteWebhooks } from '../transports/http/route-webhook-routes.js';
import { RouteFailure, RouteRunner, type RouteOutcome } from './route-runner.js';
import { parseRoute, type RouteDefinition, type SourceDefinition } from './route-spec.js';
import { startBindingSource, startPubSubSource, webhookMessage, type RunningSource, type WebhookRequest } from './sources.js';
import { stepDefinitions } from './steps/index.js';

interface RunningRoute {
  runner: RouteRunner;
  source?: RunningSource;
  /** Its steps started: only its source may be (re)started. */
  stepsStarted?: boolean;
  /** Its source opens once the app is reachable (the route invokes the app). */
  waiting?: boolean;
  /** Why the route does not take messages (its source could not start), or undefined. */
  error?: string;
}

const webhookKey = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/\/+$/, '') || '/'}`;

/**
 * `kind: Route`: declarative integration routes. Loading checks every route (steps compiled: CEL, JSONata);
 * `apply` swaps the running set — new routes start, removed or changed ones stop once their messages in
 * flight are done, unchanged ones keep running.
 */
export class RouteKind implements MechaKind {
  readonly kind = 'Route';
  readonly metadataKey = 'routes';
  readonly #running = new Map<string, RunningRoute>();
  readonly #webhooks = new Map<string, RouteRunner>();
  /** Applies run one after another: a reload waits for the previous set to settle. */
  #applying: Promise<void> = Promise.resolve();
  #appReachable = false;

  constructor(private readonly deps: MechaKindDeps) {}

  load(docs: readonly ResourceDocument[]): MechaKindLoad {
    const { resources, problems } = readMechaResources(docs, this.kind, this.deps.appId);
    const routes: RouteDefinition[] = [];
    const paths = new Map<string, string>();
    for (const r of resources) {
      const parsed = parseRoute(r, stepDefinitions);
      problems.push(...parsed.problems.map((p): ResourceProblem => ({ ...r.at, ...p })));
      if (!parsed.route) continue;
      if ('http' in parsed.route.source) {
        const key = webhookKey(parsed.route.source.http.method, parsed.route.source.http.path);
        const other = paths.get(key);
        if (other) problems.push({ ...r.at, field: 'spec.from.http.path', message: `${key} is already the source of route "${other}"` });
        paths.set(key, r.name);
      }
      routes.push(parsed.route);
    }
    return { problems, apply: () => (this.#applying = this.#applying.then(() => this.#apply(routes))) };
  }

  metadata(): unknown[] {
    return [...this.#running.values()].map(({ runner, error, waiting }) => ({
      name: runner.definition.name,
      from: describeSource(runner.definition.source),
      steps: runner.definition.steps.map((s) => s.key),
      status: error ? 'failed' : waiting ? 'waiting' : 'running',
      ...(error ? { error } : {}),
      counters: { ...runner.counters.counts },
    }));
  }

  asyncApiChannels(): KindChannel[] {
    return [...this.#running.values()].flatMap(({ runner }) => runner.definition.channels);
  }

  httpRoutes(app: Parameters<NonNullable<MechaKind['httpRoutes']>>[0]): void {
    registerRouteWebhooks(app, (method, path) => {
      const runner = this.#webhooks.get(webhookKey(method, path));
      return runner && ((req: WebhookRequest) => receiveWebhook(runner, req));
    });
  }

  /** Routes reading from the swapped component close their source on the old instance and open it on the current one. */
  async componentChanged(category: 'pubsub' | 'bindings', name: string): Promise<void> {
    const reads = ({ source }: RouteDefinition) => (category === 'pubsub' ? 'pubsub' in source && source.pubsub === name : 'binding' in source && source.binding === name);
    await (this.#applying = this.#applying.then(async () => {
      for (const running of [...this.#running.values()].filter((r) => r.stepsStarted && reads(r.runner.definition))) {
        await this.#closeSource(running);
        await this.#openSource(running);
      }
    }));
  }

  async close(): Promise<void> {
    await this.#applying;
    await Promise.all([...this.#running.keys()].map((name) => this.#stop(name)));
  }

  async #apply(routes: RouteDefinition[]): Promise<void> {
    const wanted = new Map(routes.map((r) => [r.name, r]));
    const stopping = [...this.#running.entries()].filter(([name, r]) => wanted.get(name)?.fingerprint !== r.runner.definition.fingerprint).map(([name]) => name);
    await Promise.all(stopping.map((name) => this.#stop(name)));
    for (const route of routes) if (!this.#running.has(route.name)) await this.#start(route);
    if (stopping.length > 0 || routes.length > 0) this.deps.logger.info({ running: [...this.#running.keys()], stopped: stopping }, 'routes applied');
  }

  async #start(route: RouteDefinition): Promise<void> {
    const runner = new RouteRunner(route, this.deps);
    const running: RunningRoute = { runner };
    this.#running.set(route.name, running);
    try {
      await runner.start();
      running.stepsStarted = true;
    } catch (err) {
      running.error = (err as Error).message;
      this.deps.logger.error({ route: route.name, err: running.error }, 'route not started');
      return;
    }
    await this.#openSource(running);
  }

  async #openSource(running: RunningRoute): Promise<void> {
    const { runner } = running;
    const { name, source, invokes } = runner.definition;
    running.error = undefined;
    running.waiting = !this.#appReachable && !('http' in source) && invokes.includes(this.deps.appId);
    if (running.waiting) {
      // As the app's subscriptions: messages wait in the broker, rather than fail on an app not listening yet.
      void this.deps.appReady.then(
        () =>
          (this.#applying = this.#applying.then(() => {
            this.#appReachable = true;
            if (this.#running.get(name) === running && running.waiting) return this.#openSource(running);
          })),
      );
      this.deps.logger.info({ route: name, from: describeSource(source) }, 'route waits for the app to be reachable');
      return;
    }
    try {
      if ('pubsub' in source) running.source = await startPubSubSource(source, runner, this.deps);
      else if ('binding' in source) running.source = await startBindingSource(source, runner, this.deps);
      else this.#webhooks.set(webhookKey(source.http.method, source.http.path), runner);
      this.deps.logger.info({ route: name, from: describeSource(source) }, 'route started');
    } catch (err) {
      running.error = (err as Error).message;
      this.deps.logger.error({ route: name, err: running.error }, 'route not started');
    }
  }

  /** Stops taking messages and waits for those handed over (the broker keeps the rest). */
  async #closeSource(running: RunningRoute): Promise<void> {
    const { source } = running;
    running.source = undefined;
    running.waiting = false;
    await source?.close().catch((err: Error) => this.deps.logger.warn({ route: running.runner.definition.name, err: err.message }, 'closing a route source failed'));
  }

  /** Stops the source first (it waits for handed-over messages), then the steps. */
  async #stop(name: string): Promise<void> {
    const running = this.#running.get(name);
    if (!running) return;
    this.#running.delete(name);
    const { source } = running.runner.definition;
    if ('http' in source) this.#webhooks.delete(webhookKey(source.http.method, source.http.path));
    await this.#closeSource(running);
    await running.runner.stop();
    this.deps.logger.info({ route: name }, 'route stopped');
  }
}

/** Runs a webhook's message; a failure becomes the API error the transport answers. */
async function receiveWebhook(runner: RouteRunner, req: WebhookRequest): Promise<RouteOutcome> {
  try {
    return await runner.handle(webhookMessage(req));
  } catch (err) {
    if (err instanceof RouteFailure) throw new SidecarError(Errors.RouteMessageFailed, `route ${runner.definition.name}: ${err.message}`, { cause: err });
    throw err;
  }
}

function describeSource(s: SourceDefinition): string {
  if ('pubsub' in s) return `pubsub ${s.pubsub}/${s.topic}`;
  if ('binding' in s) return `binding ${s.binding}`;
  return `http ${s.http.method} ${s.http.path}`;
}

export const routeKindFactory: MechaKindFactory = (deps) => new RouteKind(deps);
