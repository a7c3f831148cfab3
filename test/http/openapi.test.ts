import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Health } from '../../src/core/health.js';
import { MetadataApi } from '../../src/core/metadata-api.js';
import { Errors } from '../../src/errors/codes.js';
import { Resiliency } from '../../src/resiliency/resiliency.js';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';
import { httpApiRoutes } from '../../src/runtime/api-servers.js';
import { createBuildingBlocks } from '../../src/runtime/building-blocks.js';
import { ComponentHost } from '../../src/runtime/component-host.js';
import { InvocationRuntime } from '../../src/runtime/invocation-runtime.js';
import { mechaKindFactories } from '../../src/runtime/mecha-kinds/index.js';
import { kindsOpenApi, openApiDocument } from '../../src/transports/http/openapi/document.js';
import { buildHttpApi } from '../../src/transports/http/server.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The document as the sidecar serves it: its own parts and what its Mecha kinds add. */
let doc: ReturnType<typeof openApiDocument>;

/** `METHOD url` of every operation the document lists, in fastify's pattern syntax. */
function documentedRoutes(): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => {
    const url = item['x-fastify-url'] ?? path.replace(/\{(\w+)\}/g, ':$1');
    return Object.keys(item)
      .filter((k) => HTTP_METHODS.includes(k))
      .map((m) => `${m.toUpperCase()} ${url}`);
  });
}

let app: FastifyInstance;
let closeAll: () => Promise<void>;
const registered: string[] = [];

beforeAll(async () => {
  // The sidecar's own route list over real (empty) building blocks and its Mecha kinds; an onRoute hook
  // registered first sees every route.
  const logger = pino({ level: 'silent' });
  const { options } = parseRunArgs(['--app-id', 'app'], {}, tmpdir());
  const components = new ComponentHost(logger);
  const resiliency = Resiliency.empty();
  const blocks = createBuildingBlocks({ appId: 'app', components, resiliency, secretScopes: () => [], appUnavailable: () => undefined, logger });
  const invocation = new InvocationRuntime(options, logger, undefined, { appUnavailable: () => undefined, httpEndpoint: () => undefined, denied: () => undefined, resiliency });
  const kinds = mechaKindFactories.map((create) =>
    create({ appId: 'app', namespace: 'default', blocks, invocation: invocation.api, components, resiliency, dataDir: options.dataDir, logger, appReady: Promise.resolve(), kindChannels: () => [] }),
  );
  doc = openApiDocument(kindsOpenApi(kinds));
  const metadata = new MetadataApi({ appId: 'app', runtimeVersion: 'test', appConnection: { port: 0, protocol: 'http', channelAddress: '127.0.0.1', maxConcurrency: -1 }, components: () => [] });
  const routes = httpApiRoutes(blocks, {
    health: new Health('app'),
    metadata,
    shutdown: () => undefined,
    invoke: async () => {
      throw new Error('no invocation in this test');
    },
    unserved: { appId: 'app', namespace: 'default' },
    kinds,
  });
  const record = (a: FastifyInstance) =>
    a.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) registered.push(`${m} ${r.url}`);
    });
  app = buildHttpApi({ routes: [record, ...routes], logger, maxBodyBytes: 1024, apiLogging: false });
  await app.ready();
  closeAll = async () => {
    await app.close();
    for (const kind of kinds) await kind.close();
    await blocks.subscriptions.close();
  };
});
afterAll(() => closeAll());

describe('the OpenAPI document of the HTTP API', () => {
  it('documents every route the sidecar registers', () => {
    expect(registered.length).toBeGreaterThan(50);
    const documented = new Set(documentedRoutes());
    expect(registered.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('documents no route the sidecar does not register', () => {
    const seen = new Set(registered);
    expect(documentedRoutes().filter((r) => !seen.has(r))).toEqual([]);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('names only error codes of the catalogue, each under its own status', () => {
    const byCode = new Map<string, Set<number>>();
    for (const k of Object.values(Errors)) byCode.set(k.code, (byCode.get(k.code) ?? new Set()).add(k.http));
    const seen: string[] = [];
    JSON.stringify(doc, (key, value: unknown) => {
      if (key === 'enum' && Array.isArray(value) && value.every((v) => typeof v === 'string' && /^(ERR|DAPR)_/.test(v))) seen.push(...value);
      return value;
    });
    expect(seen.length).toBeGreaterThan(100);
    for (const code of seen) expect(byCode.has(code), code).toBe(true);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item).filter(([k]) => HTTP_METHODS.includes(k))) {
        for (const [status, answer] of Object.entries((op as { responses: Record<string, unknown> }).responses)) {
          const codes = JSON.stringify(answer).match(/"(ERR|DAPR)_[A-Z_]+"/g) ?? [];
          for (const c of codes) expect(byCode.get(JSON.parse(c) as string), `${method} ${path} ${status} ${c}`).toContain(Number(status));
        }
      }
    }
  });

  it('is served at GET /v1.0-alpha1/openapi.json', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1.0-alpha1/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toEqual(doc);
  });
});
