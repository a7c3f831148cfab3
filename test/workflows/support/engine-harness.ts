import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadComponentSpecs } from '../../../src/config/load-components.js';
import type { ResourceDocument } from '../../../src/config/resource-documents.js';
import { BindingsApi } from '../../../src/core/bindings-api.js';
import { PubSubApi } from '../../../src/core/pubsub-api.js';
import { StateApi } from '../../../src/core/state-api.js';
import { builtinComponents } from '../../../src/registry/builtin.js';
import { ComponentRegistry } from '../../../src/registry/component-registry.js';
import { ComponentHost } from '../../../src/runtime/component-host.js';
import { pubsubComponentsOf } from '../../../src/runtime/pubsubs.js';
import { stateStoresOf } from '../../../src/runtime/state-stores.js';
import type { Binding } from '../../../src/contracts/binding.js';
import { WorkflowRuntime } from '../../../src/workflows/engine/workflow-runtime.js';
import { InstanceRepo } from '../../../src/workflows/store/instance-repo.js';
import { SqliteKv } from '../../../src/workflows/store/sqlite-kv.js';
import { taskRunner } from '../../../src/workflows/tasks/task-runner.js';
import { readWorkflows, type WorkflowDefinition } from '../../../src/workflows/workflow-resources.js';
import type { WorkflowInstanceStatus } from '../../../src/workflows/engine.js';

export function componentDoc(name: string, type: string, metadata: Record<string, string> = {}): ResourceDocument {
  return {
    file: 'test.yaml',
    index: 1,
    content: { apiVersion: 'dapr.io/v1alpha1', kind: 'Component', metadata: { name }, spec: { type, version: 'v1', metadata: Object.entries(metadata).map(([n, value]) => ({ name: n, value })) } },
  };
}

export function workflowDoc(name: string, definition: unknown, extra: Record<string, unknown> = {}): ResourceDocument {
  return { file: 'test.yaml', index: 1, content: { apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name }, spec: { definition, ...extra } } };
}

/** Real components (in-process) and the cores over them, as the sidecar composes them. */
export async function startCores(appId: string, documents: ResourceDocument[]) {
  const logger = pino({ level: 'silent' });
  const registry = new ComponentRegistry(builtinComponents);
  const loaded = loadComponentSpecs(documents, { registry, appId, env: {}, warn: () => undefined });
  if (loaded.problems.length > 0) throw new Error(JSON.stringify(loaded.problems));
  const host = new ComponentHost(logger);
  await host.start(loaded.specs);
  const state = new StateApi(appId, stateStoresOf(host, appId));
  const pubsub = new PubSubApi(appId, pubsubComponentsOf(host, appId));
  const bindings = new BindingsApi({ find: (name) => host.get<Binding>('bindings', name)?.instance });
  return { host, logger, state, pubsub, bindings };
}

export interface EngineHarness {
  dir: string;
  runtime: WorkflowRuntime;
  cores: Awaited<ReturnType<typeof startCores>>;
  define(name: string, definition: unknown): WorkflowDefinition;
  start(def: WorkflowDefinition, input: unknown, id?: string): Promise<string>;
  /** Polls (bounded) until the instance's status passes the test. */
  until(id: string, test: (s: WorkflowInstanceStatus) => boolean, timeoutMs?: number): Promise<WorkflowInstanceStatus>;
  /** A new runtime on the same store, as after a restart. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

let ids = 0;

/** An engine runtime on an embedded SQLite file, with Tasks against in-process components. */
export async function startEngine(): Promise<EngineHarness> {
  const appId = 'wfapp';
  const dir = mkdtempSync(join(tmpdir(), 'mecha-wf-'));
  const cores = await startCores(appId, [componentDoc('kv', 'state.in-memory'), componentDoc('bus', 'pubsub.in-memory')]);
  // Service invocation needs a sidecar and an app: the tests of invoke: run against a started sidecar.
  const runTask = taskRunner({ appId, blocks: cores, invocation: { invoke: () => Promise.reject(new Error('no service invocation in this harness')) } });
  const make = () =>
    new WorkflowRuntime(new InstanceRepo(new SqliteKv(join(dir, 'workflows.db'))), {
      replicaId: 'test-replica',
      runner: true,
      leaseMs: 5_000,
      scanMs: 200,
      runTask,
      logger: cores.logger,
    });
  const h: EngineHarness = {
    dir,
    cores,
    runtime: make(),
    define(name, definition) {
      const { workflows, problems } = readWorkflows([workflowDoc(name, definition)], appId);
      if (problems.length > 0) throw new Error(JSON.stringify(problems));
      return workflows[0];
    },
    async start(def, input, id = `wf-${process.pid}-${++ids}`) {
      await h.runtime.startInstance(def, input, id);
      return id;
    },
    async until(id, test, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const s = await h.runtime.status(id);
        if (s && test(s)) return s;
        if (Date.now() > end) throw new Error(`instance ${id} did not get there in time: ${JSON.stringify(s)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async restart() {
      await h.runtime.close();
      h.runtime = make();
      h.runtime.start();
    },
    async close() {
      await h.runtime.close();
      await cores.host.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  h.runtime.start();
  return h;
}

