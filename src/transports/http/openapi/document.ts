import { VERSION } from '../../../version.js';
import { INVOKE_PATHS } from './invoke.js';
import { MESSAGING_PATHS, MESSAGING_SCHEMAS } from './messaging.js';
import { SHARED_SCHEMAS, type Json, type Paths } from './parts.js';
import { RUNTIME_PATHS, RUNTIME_SCHEMAS } from './runtime.js';
import { STATE_PATHS, STATE_SCHEMAS } from './state.js';
import { STORES_PATHS, STORES_SCHEMAS } from './stores.js';
import { unservedPaths } from './unserved.js';

/**
 * The OpenAPI 3.1 document of the sidecar's HTTP API, one part per building block. A test checks it
 * against the routes the sidecar registers, both ways; path items whose fastify pattern is not the
 * path with `{name}` → `:name` give theirs in `x-fastify-url`.
 */
export function openApiDocument(extra: { paths: Paths; schemas?: Json } = { paths: {} }): Json & { paths: Paths } {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mecha sidecar HTTP API',
      version: VERSION,
      description: [
        "The Dapr HTTP API as Mecha serves it (daprd 1.17's routes, codes and statuses), plus Mecha's own",
        'SQL over the state query API and this document. Errors are `{errorCode, message, details?}` with the',
        'status docs/errors.md gives each code. With `--dapr-api-token` (APP_API_TOKEN), every route but GET of',
        'the health endpoints needs the `dapr-api-token` header, else `401 invalid api token` (plain text). Any',
        'route not listed here is service invocation of the app named by the `dapr-app-id` header.',
      ].join(' '),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: 'http://localhost:3500', description: 'The sidecar on its default HTTP port (--dapr-http-port).' }],
    paths: { ...STATE_PATHS, ...MESSAGING_PATHS, ...INVOKE_PATHS, ...STORES_PATHS, ...RUNTIME_PATHS, ...unservedPaths(), ...extra.paths },
    components: {
      schemas: { ...SHARED_SCHEMAS, ...STATE_SCHEMAS, ...MESSAGING_SCHEMAS, ...STORES_SCHEMAS, ...RUNTIME_SCHEMAS, ...extra.schemas },
      securitySchemes: { daprApiToken: { type: 'apiKey', in: 'header', name: 'dapr-api-token' } },
    },
    security: [{}, { daprApiToken: [] }],
  };
}

/** What the Mecha kinds add to the document: their routes' path items and schemas. */
export function kindsOpenApi(kinds: ReadonlyArray<{ openApi?(): { paths: Record<string, unknown>; schemas?: Record<string, unknown> } }>): { paths: Paths; schemas: Json } {
  const parts = kinds.flatMap((kind) => (kind.openApi ? [kind.openApi()] : []));
  return { paths: Object.assign({}, ...parts.map((p) => p.paths)) as Paths, schemas: Object.assign({}, ...parts.map((p) => p.schemas ?? {})) as Json };
}
