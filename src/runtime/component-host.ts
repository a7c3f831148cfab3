import type { Logger } from 'pino';
import type { ComponentCategory, Component } from '../contracts/component.js';
import type { ComponentSpec } from '../config/load-components.js';
import { instrumentComponent } from '../observability/component-metrics.js';
import type { Metrics } from '../observability/metrics.js';
import { trackInFlight } from './hot-reload/in-flight.js';

/** A component that initialised and is serving. */
export interface RunningComponent<T extends Component = Component> {
  spec: ComponentSpec;
  instance: T;
  /** Resolves once the calls in flight on this instance are answered (bounded); see trackInFlight. */
  drained(budgetMs: number): Promise<boolean>;
}

/** The outcome of a replacement: what ran before, and how to close it once drained. */
export interface Swap {
  previous?: ComponentSpec;
  retire(drainMs: number): Promise<void>;
}

/**
 * Creates, initialises and closes the components of the resources. Each init is bounded by the
 * component's `initTimeout`; a failure stops startup unless the component says `ignoreErrors: true`.
 */
export class ComponentHost {
  readonly #running = new Map<string, RunningComponent>();

  constructor(
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {}

  async start(specs: readonly ComponentSpec[]): Promise<void> {
    // Independent components initialise concurrently: startup time is the slowest, not the sum.
    const results = await Promise.allSettled(specs.map((s) => this.#startOne(s)));
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ spec: specs[i], err: r.reason as Error }] : []));
    const fatal = failures.filter((f) => !f.spec.ignoreErrors);
    for (const f of failures) {
      this.metrics?.componentInitFailed(f.spec.type, f.spec.name);
      const log = { component: f.spec.name, type: f.spec.type, file: f.spec.source.file, err: f.err.message };
      if (f.spec.ignoreErrors) this.logger.warn(log, 'component init failed; continuing because ignoreErrors is true');
    }
    if (fatal.length > 0) {
      await this.close();
      throw new Error(fatal.map((f) => `component "${f.spec.name}" (${f.spec.type}, ${f.spec.source.file}) failed to init: ${f.err.message}`).join('\n'));
    }
  }

  get<T extends Component>(category: ComponentCategory, name: string): RunningComponent<T> | undefined {
    const c = this.#running.get(name);
    return c && c.spec.category === category ? (c as RunningComponent<T>) : undefined;
  }

  list(category?: ComponentCategory): RunningComponent[] {
    const all = [...this.#running.values()];
    return category ? all.filter((c) => c.spec.category === category) : all;
  }

  /**
   * Adds a component, or replaces the one of the same name: the new instance is initialised beside the
   * old one and swapped in only once ready. Rejects (and changes nothing) when it fails to initialise.
   * The caller then calls `retire`, which closes the old one once its calls in flight are answered.
   */
  async put(spec: ComponentSpec): Promise<Swap> {
    const next = await this.#create(spec);
    const old = this.#running.get(spec.name);
    this.#running.set(spec.name, next);
    this.logger.info({ component: spec.name, type: spec.type }, old ? 'component replaced' : 'component added');
    return { previous: old?.spec, retire: (drainMs) => (old ? this.#retire(old, drainMs) : Promise.resolve()) };
  }

  /** Stops routing calls to a component; `retire` closes it once its calls in flight are answered. */
  remove(name: string): Swap {
    const old = this.#running.get(name);
    if (old) {
      this.#running.delete(name);
      this.logger.info({ component: name, type: old.spec.type }, 'component removed');
    }
    return { previous: old?.spec, retire: (drainMs) => (old ? this.#retire(old, drainMs) : Promise.resolve()) };
  }

  async #retire(old: RunningComponent, drainMs: number): Promise<void> {
    if (!(await old.drained(drainMs))) this.logger.warn({ component: old.spec.name, budgetMs: drainMs }, 'calls still in flight on the old component after the graceful budget; closing it');
    await this.#closeOne(old);
  }

  async #closeOne(c: RunningComponent, timeoutMs = 5000): Promise<void> {
    try {
      await withTimeout(c.instance.close(), timeoutMs, 'close');
    } catch (err) {
      this.logger.warn({ component: c.spec.name, err: (err as Error).message }, 'component close failed');
    }
  }

  /** Closes every component, each bounded in time; errors are logged, not thrown. */
  async close(timeoutMs = 5000): Promise<void> {
    const closing = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(closing.map((c) => this.#closeOne(c, timeoutMs)));
  }

  async #startOne(spec: ComponentSpec): Promise<void> {
    this.#running.set(spec.name, await this.#create(spec));
  }

  async #create(spec: ComponentSpec): Promise<RunningComponent> {
    const started = performance.now();
    const create = await spec.descriptor.load();
    const instance = create({ name: spec.name, logger: this.logger.child({ component: `${spec.name} (${spec.type})` }) }) as Component;
    try {
      await withTimeout(instance.init(spec.metadata), spec.initTimeoutMs, 'init');
    } catch (err) {
      await instance.close().catch(() => undefined);
      throw err;
    }
    this.metrics?.componentInitialized(spec.type);
    const tracked = trackInFlight(this.metrics ? instrumentComponent(spec.category, spec.name, instance, this.metrics) : instance);
    this.logger.info({ component: spec.name, type: spec.type, durationMs: Math.round(performance.now() - started) }, 'component initialized');
    return { spec, instance: tracked.instance, drained: tracked.drained };
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
