import { bufferBody, noBody, readAll } from '../../util/body-streams.js';
import type { RouteMessage, RouteStep, StepContext, StepDefinition } from '../step.js';
import type { CelExpression } from '../expressions.js';
import { StepConfig, keyOf } from './step-config.js';

const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const SOURCES = ['invoke', 'state', 'binding'] as const;
/** Bytes of an app's failing answer quoted in the error. */
const EXCERPT = 200;

type Merge = { kind: 'deep' | 'shallow' } | { kind: 'into'; field: string };
/** Fetches the enrichment for a message; undefined when there is none (an empty answer, a missing key). */
type Lookup = (ctx: StepContext, message: RouteMessage) => Promise<unknown>;

export const enrichStep: StepDefinition = {
  key: 'enrich',
  parse(config, field) {
    const c = new StepConfig();
    const m = c.mapping(config, field, [...SOURCES, 'merge']);
    if (!m) return { problems: c.problems };
    const given = SOURCES.filter((s) => m[s] !== undefined);
    if (given.length !== 1) c.problem(field, `needs exactly one of ${SOURCES.join(', ')}${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`);
    const lookup = given.length === 1 ? readLookup(c, given[0]!, m[given[0]!], `${field}.${given[0]}`) : undefined;
    const merge = readMerge(c, m.merge, `${field}.merge`);
    return c.result(() => (ctx: StepContext): RouteStep => ({
      async process(message) {
        const answer = await lookup!(ctx, message);
        return answer === undefined ? [message] : [{ ...message, event: { ...message.event, data: merged(message.event.data, answer, merge!) } }];
      },
    }));
  },
};

function readLookup(c: StepConfig, source: (typeof SOURCES)[number], value: unknown, field: string): Lookup | undefined {
  if (source === 'invoke') {
    // The same fields as an invoke sink's (`verb`, not `httpVerb`): one way to write a call in a Route.
    const m = c.mapping(value, field, ['appId', 'method', 'verb']);
    if (!m) return undefined;
    const appId = c.string(m.appId, `${field}.appId`);
    const method = c.string(m.method, `${field}.method`);
    const verb = m.verb === undefined ? 'POST' : c.oneOf(m.verb, `${field}.verb`, VERBS);
    return (ctx, message) => invokeApp(ctx, appId!, method!.replace(/^\/+/, ''), verb!, message);
  }
  if (source === 'state') {
    const m = c.mapping(value, field, ['store', 'key']);
    if (!m) return undefined;
    const store = c.string(m.store, `${field}.store`);
    const key: CelExpression | undefined = c.expression(m.key, `${field}.key`);
    return async (ctx, message) => {
      const item = await ctx.deps.blocks.state.get({ storeName: store!, key: keyOf(key!(message), 'enrich state key'), metadata: {} });
      return item ? parsed(item.data) : undefined;
    };
  }
  const m = c.mapping(value, field, ['name', 'operation']);
  if (!m) return undefined;
  const name = c.string(m.name, `${field}.name`);
  const operation = c.string(m.operation, `${field}.operation`);
  return async (ctx, message) => {
    const res = await ctx.deps.blocks.bindings.invoke(name!, { operation: operation!, data: jsonBytes(message.event.data), metadata: {} });
    return res.data && res.data.length > 0 ? parsed(res.data) : undefined;
  };
}

function readMerge(c: StepConfig, value: unknown, field: string): Merge | undefined {
  if (value === undefined) return { kind: 'deep' };
  if (typeof value === 'string') {
    const kind = c.oneOf(value, field, ['deep', 'shallow'] as const);
    return kind && { kind };
  }
  const m = c.mapping(value, field, ['into']);
  const into = m && c.string(m.into, `${field}.into`);
  return into ? { kind: 'into', field: into } : undefined;
}

/** Calls the app through the service invocation core, so resiliency policies and name resolution apply. */
async function invokeApp(ctx: StepContext, appId: string, method: string, verb: string, message: RouteMessage): Promise<unknown> {
  const body = verb === 'GET' || verb === 'DELETE' ? undefined : jsonBytes(message.event.data);
  const res = await ctx.deps.invocation.invoke(
    appId,
    { method, verb, query: '', headers: body ? { 'content-type': ['application/json'] } : {}, body: body ? bufferBody(body) : noBody(), buffered: body },
    body ?? Buffer.alloc(0),
  );
  const answer = res.buffered ?? (await readAll(res.body));
  if (res.status < 200 || res.status > 299) {
    throw new Error(`enrich: ${appId} answered ${verb} /${method} with status ${res.status}: ${answer.toString('utf8', 0, EXCERPT)}`);
  }
  return answer.length > 0 ? parsed(answer) : undefined;
}

function jsonBytes(data: unknown): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(JSON.stringify(data ?? null));
}

/** JSON when it parses, else the text. */
function parsed(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** `deep` and `shallow` need objects on both sides (no data counts as `{}`); `into` sets one field. */
function merged(data: unknown, answer: unknown, merge: Merge): unknown {
  const base = data === undefined || data === null ? {} : data;
  if (!isObject(base)) throw new Error('enrich: the message data is not a JSON object; use merge: { into: <field> }');
  if (merge.kind === 'into') return { ...base, [merge.field]: answer };
  if (!isObject(answer)) throw new Error(`enrich: the answer is not a JSON object; use merge: { into: <field> }`);
  return merge.kind === 'shallow' ? { ...base, ...answer } : deepMerge(base, answer);
}

/** Objects merge key by key; anything else (arrays, scalars) from the answer replaces the data's. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}
