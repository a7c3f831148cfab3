import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadComponentSpecs } from '../../src/config/load-components.js';
import type { ResourceDocument } from '../../src/config/resource-documents.js';
import type { ComponentContext, ComponentDescriptor } from '../../src/contracts/component.js';
import type { DeleteRequest, GetRequest, SetRequest, StateItem, StateStore } from '../../src/contracts/state.js';
import { Health } from '../../src/core/health.js';
import { MetadataApi } from '../../src/core/metadata-api.js';
import { StateApi } from '../../src/core/state-api.js';
import { builtinComponents } from '../../src/registry/builtin.js';
import { ComponentRegistry } from '../../src/registry/component-registry.js';
import { ComponentHost } from '../../src/runtime/component-host.js';
import { registeredComponents } from '../../src/runtime/registered-components.js';
import { stateStoresOf } from '../../src/runtime/state-stores.js';
import { registerRuntimeRoutes } from '../../src/transports/http/runtime-routes.js';
import { buildHttpApi } from '../../src/transports/http/server.js';
import { registerStateRoutes } from '../../src/transports/http/state-routes.js';

export const APP_ID = 'myapp';
export const RUNTIME_VERSION = 'test-version';

/** A store with no `multi`: the API must refuse transactions on it. Records what reaches it. */
export class PlainStore implements StateStore {
  readonly entries = new Map<string, Buffer>();
  readonly gets: GetRequest[] = [];
  readonly sets: SetRequest[] = [];

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  features() {
    return [] as const;
  }
  async get(req: GetRequest): Promise<StateItem | undefined> {
    this.gets.push(req);
    const data = this.entries.get(req.key);
    return data ? { data } : undefined;
  }
  async set(req: SetRequest): Promise<void> {
    this.sets.push(req);
    this.entries.set(req.key, req.value.data);
  }
  async delete(req: DeleteRequest): Promise<void> {
    this.entries.delete(req.key);
  }
}

export const plainStateDescriptor: ComponentDescriptor<StateStore> = {
  type: 'state.plain-test',
  category: 'state',
  versions: ['v1'],
  metadata: { type: 'object', properties: {} },
  load: async () => (_ctx: ComponentContext) => new PlainStore(),
};

export function componentDoc(name: string, type: string, metadata: Array<{ name: string; value: string }> = []): ResourceDocument {
  return {
    file: 'test.yaml',
    index: 1,
    content: { apiVersion: 'dapr.io/v1alpha1', kind: 'Component', metadata: { name }, spec: { type, version: 'v1', metadata } },
  };
}

/** The stores most tests use: a default-prefixed one, a bare-key one and a non-transactional one. */
export const DEFAULT_STORES: ResourceDocument[] = [
  componentDoc('statestore', 'state.in-memory'),
  componentDoc('nokeyprefix', 'state.in-memory', [{ name: 'keyPrefix', value: 'none' }]),
  componentDoc('plain', 'state.plain-test'),
];

export interface HarnessOptions {
  documents?: ResourceDocument[];
  apiToken?: string;
  maxBodyBytes?: number;
  appPort?: number;
}

export interface Harness {
  app: FastifyInstance;
  host: ComponentHost;
  health: Health;
  shutdowns: boolean[];
  close(): Promise<void>;
}

/** The same composition as the sidecar, in-process, without listening on a port. */
export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const logger = pino({ level: 'silent' });
  const registry = new ComponentRegistry([...builtinComponents, plainStateDescriptor]);
  const loaded = loadComponentSpecs(o.documents ?? DEFAULT_STORES, { registry, appId: APP_ID, env: {}, warn: () => undefined });
  if (loaded.problems.length > 0) throw new Error(JSON.stringify(loaded.problems));
  const host = new ComponentHost(logger);
  await host.start(loaded.specs);

  const health = new Health(APP_ID);
  const state = new StateApi(APP_ID, stateStoresOf(host, APP_ID));
  const metadata = new MetadataApi({
    appId: APP_ID,
    runtimeVersion: RUNTIME_VERSION,
    appConnection: { port: o.appPort ?? 0, protocol: 'http', channelAddress: '127.0.0.1', maxConcurrency: -1 },
    components: () => registeredComponents(host),
  });
  const shutdowns: boolean[] = [];
  const app = buildHttpApi({
    routes: [
      (a) => registerStateRoutes(a, state),
      (a) => registerRuntimeRoutes(a, { health, metadata, shutdown: (force) => shutdowns.push(force) }),
    ],
    logger,
    apiToken: o.apiToken,
    maxBodyBytes: o.maxBodyBytes ?? 4 * 1024 * 1024,
    apiLogging: false,
  });
  await app.ready();
  return {
    app,
    host,
    health,
    shutdowns,
    close: async () => {
      await app.close();
      await host.close();
    },
  };
}

/** Parses a JSON error body and checks the two fields every daprd error carries. */
export function errorBody(payload: string): { errorCode: string; message: string; details?: Array<Record<string, unknown>> } {
  return JSON.parse(payload) as { errorCode: string; message: string; details?: Array<Record<string, unknown>> };
}
