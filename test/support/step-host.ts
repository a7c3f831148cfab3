import { rmSync } from 'node:fs';
import pino from 'pino';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';
import type { RouteMessage, RouteStep, StepContext, StepDefinition } from '../../src/routes/step.js';
import { mechaKindFactories } from '../../src/runtime/mecha-kinds/index.js';
import type { MechaKindDeps, MechaKindFactory } from '../../src/runtime/mecha-kinds/mecha-kind.js';
import { Sidecar } from '../../src/sidecar.js';
import { resourcesDir } from './resources.js';

/** A sidecar started in-process on the given resources, and the building-block cores it gives its kinds. */
export interface StepHost {
  deps: MechaKindDeps;
  /** A step as a route would run it, with its own stop signal; `emitted` collects what it emits. */
  step(definition: StepDefinition, config: unknown, opts?: { route?: string; position?: string; emit?: (m: RouteMessage[]) => Promise<void> }): StepUnderTest;
  stop(): Promise<void>;
}

export interface StepUnderTest {
  step: RouteStep;
  emitted: RouteMessage[];
  /** Aborts the step's signal and closes it, as a route stopping does. */
  stop(): Promise<void>;
}

/**
 * Starts a sidecar with a probe kind that captures the `MechaKindDeps` every kind gets, so steps run on
 * exactly the cores the sidecar builds (components, resiliency, invocation) without any route around them.
 */
export async function startStepHost(files: Record<string, string>, flags: string[] = []): Promise<StepHost> {
  const dir = resourcesDir(files);
  let captured: MechaKindDeps | undefined;
  const probe: MechaKindFactory = (deps) => {
    captured = deps;
    return { kind: 'StepHostProbe', metadataKey: 'stepHostProbe', load: () => ({ problems: [], apply: () => undefined }), metadata: () => [], close: async () => undefined };
  };
  const factories = mechaKindFactories as MechaKindFactory[];
  factories.push(probe);
  let sidecar: Sidecar;
  try {
    const { options } = parseRunArgs(['--app-id', 'steps', '--resources-path', dir, '--dapr-grpc-port', '0', '--metrics-port', '0', '--enable-metrics=false', ...flags], process.env, dir);
    sidecar = await Sidecar.start({ ...options, httpPort: 0, dataDir: dir }, pino({ level: 'warn' }), () => undefined);
  } finally {
    factories.splice(factories.indexOf(probe), 1);
  }
  const deps = captured!;
  const running: StepUnderTest[] = [];
  return {
    deps,
    step(definition, config, opts = {}) {
      const position = opts.position ?? 'spec.steps[0]';
      const parsed = definition.parse(config, `${position}.${definition.key}`);
      if (!parsed.create) throw new Error(`invalid step config: ${JSON.stringify(parsed.problems)}`);
      const controller = new AbortController();
      const emitted: RouteMessage[] = [];
      const ctx: StepContext = {
        route: opts.route ?? 'test-route',
        position,
        deps,
        signal: controller.signal,
        emit: opts.emit ?? (async (messages) => void emitted.push(...messages)),
      };
      const step = parsed.create(ctx);
      const handle: StepUnderTest = {
        step,
        emitted,
        async stop() {
          controller.abort();
          await step.close?.();
        },
      };
      running.push(handle);
      return handle;
    },
    async stop() {
      await Promise.all(running.map((r) => r.stop()));
      await sidecar.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CloudEvent message as a pub/sub source gives it. */
export function message(data: unknown, attributes: Record<string, unknown> = {}): RouteMessage {
  return { event: { specversion: '1.0', id: crypto.randomUUID(), source: 'test', type: 'test.event', datacontenttype: 'application/json', data, ...attributes }, headers: {} };
}

/** Polls `check` until it returns true (bounded in time). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
