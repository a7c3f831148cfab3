import type { Logger } from 'pino';
import type { ComponentCategory, Component } from '../contracts/component.js';
import type { ComponentSpec } from '../config/load-components.js';
import { instrumentComponent } from '../observability/component-metrics.js';
import type { Metrics } from '../observability/metrics.js';

/** A component that initialised and is serving. */
export interface RunningComponent<T extends Component = Component> {
  spec: ComponentSpec;
  instance: T;
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

  /** Closes every component, each bounded in time; errors are logged, not thrown. */
  async close(timeoutMs = 5000): Promise<void> {
    const closing = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(
      closing.map(async (c) => {
        try {
          await withTimeout(c.instance.close(), timeoutMs, 'close');
        } catch (err) {
          this.logger.warn({ component: c.spec.name, err: (err as Error).message }, 'component close failed');
        }
      }),
    );
  }

  async #startOne(spec: ComponentSpec): Promise<void> {
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
    this.#running.set(spec.name, { spec, instance: this.metrics ? instrumentComponent(spec.category, spec.name, instance, this.metrics) : instance });
    this.logger.info({ component: spec.name, type: spec.type, durationMs: Math.round(performance.now() - started) }, 'component initialized');
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
