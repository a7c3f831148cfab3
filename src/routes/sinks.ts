import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajv, describeAjvError } from '../config/ajv.js';
import { CLOUDEVENT_CONTENT_TYPE } from '../core/pubsub-envelope.js';
import { encodeJsonValue } from '../core/state-values.js';
import { bufferBody } from '../util/body-streams.js';
import type { MechaKindDeps } from '../runtime/mecha-kinds/mecha-kind.js';
import { compileCel, type CelExpression } from './expressions.js';
import { NOT_CARRIED_HEADERS, payloadOf } from './message.js';
import type { RouteMessage } from './step.js';
import { isSendableHeader } from '../util/http-header.js';

type Problem = { field: string; message: string };
const str = { type: 'string', minLength: 1 };
const metadata = { type: 'object', additionalProperties: { type: 'string' } };

/** Each kind of sink, told apart by its one naming key; the value is checked by that kind's schema. */
export const SINK_SCHEMAS = {
  pubsub: { type: 'object', properties: { pubsub: str, topic: str, metadata }, required: ['pubsub', 'topic'], additionalProperties: false },
  binding: { type: 'object', properties: { binding: str, operation: str, metadata }, required: ['binding', 'operation'], additionalProperties: false },
  invoke: {
    type: 'object',
    properties: { invoke: { type: 'object', properties: { appId: str, method: str, verb: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'], default: 'POST' } }, required: ['appId', 'method'], additionalProperties: false } },
    required: ['invoke'],
    additionalProperties: false,
  },
  state: {
    type: 'object',
    properties: { state: { type: 'object', properties: { store: str, key: str }, required: ['store', 'key'], additionalProperties: false } },
    required: ['state'],
    additionalProperties: false,
  },
} as const;
type SinkKind = keyof typeof SINK_SCHEMAS;
const SINK_KINDS = Object.keys(SINK_SCHEMAS) as SinkKind[];

let validators: Record<SinkKind, ValidateFunction> | undefined;

/** A sink as the spec names it; `state.key` is CEL over `event` and `headers`, yielding the key. */
export type SinkDefinition =
  | { pubsub: string; topic: string; metadata?: Record<string, string> }
  | { binding: string; operation: string; metadata?: Record<string, string> }
  | { invoke: { appId: string; method: string; verb: string } }
  | { state: { store: string; key: string } };

/** Where a message goes: resolves once the target accepted it (after the core's Resiliency retries). */
export interface Sink {
  /** e.g. `pubsub orders-bus/priced-orders`, for logs. */
  readonly name: string;
  send(message: RouteMessage): Promise<void>;
}

/** Checks one sink (`field` e.g. `spec.to[0]`): its problems, and how to build it. */
export function parseSink(config: unknown, field: string): { problems: Problem[]; create?: (deps: MechaKindDeps) => Sink } {
  const kinds = typeof config === 'object' && config !== null && !Array.isArray(config) ? SINK_KINDS.filter((k) => k in config) : [];
  if (kinds.length !== 1) return { problems: [{ field, message: `must name exactly one sink: ${SINK_KINDS.join(', ')}` }] };
  validators ??= Object.fromEntries(SINK_KINDS.map((k) => [k, ajv.compile(SINK_SCHEMAS[k])])) as Record<SinkKind, ValidateFunction>;
  const validate = validators[kinds[0]];
  if (!validate(config)) return { problems: (validate.errors ?? []).map((e: ErrorObject) => describeAjvError(e, field)) };
  const def = config as SinkDefinition;
  if ('state' in def) {
    let key: CelExpression;
    try {
      key = compileCel(def.state.key);
    } catch (err) {
      return { problems: [{ field: `${field}.state.key`, message: (err as Error).message }] };
    }
    return { problems: [], create: (deps) => stateSink(def.state.store, key, deps) };
  }
  return { problems: [], create: (deps) => createSink(def, deps) };
}

function createSink(def: Exclude<SinkDefinition, { state: unknown }>, deps: MechaKindDeps): Sink {
  if ('pubsub' in def) {
    return {
      name: `pubsub ${def.pubsub}/${def.topic}`,
      // The event as it is (attributes, trace context); the core completes topic and pubsubname.
      send: ({ event }) =>
        deps.blocks.pubsub.publish({
          pubsubName: def.pubsub,
          topic: def.topic,
          data: Buffer.from(JSON.stringify(event)),
          contentType: CLOUDEVENT_CONTENT_TYPE,
          metadata: def.metadata ?? {},
          traceparent: typeof event.traceparent === 'string' ? event.traceparent : '',
          tracestate: typeof event.tracestate === 'string' ? event.tracestate : '',
        }),
    };
  }
  if ('binding' in def) {
    return {
      name: `binding ${def.binding}/${def.operation}`,
      send: async (message) => {
        const traceparent = message.event.traceparent;
        const meta = { ...(def.metadata ?? {}), ...(typeof traceparent === 'string' ? { traceparent } : {}) };
        await deps.blocks.bindings.invoke(def.binding, { operation: def.operation, data: payloadOf(message).body, metadata: meta });
      },
    };
  }
  return { name: `invoke ${def.invoke.appId}/${def.invoke.method}`, send: (message) => invokeApp(deps, def.invoke, message).then(() => undefined) };
}

/**
 * Calls an app method with the message as a binary-mode CloudEvent over HTTP: the payload as the body,
 * the message headers as they are, each attribute as a `ce-` header, the trace context as `traceparent`.
 * An answer outside 2xx is a failure.
 */
export async function invokeApp(deps: MechaKindDeps, target: { appId: string; method: string; verb?: string }, message: RouteMessage): Promise<{ body: Buffer; contentType: string }> {
  const { body, contentType } = payloadOf(message);
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(message.headers)) if (isCarriedHeader(name, value)) headers[name.toLowerCase()] = [value];
  for (const [name, value] of Object.entries(message.event)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || typeof value !== 'string') continue;
    headers[name === 'traceparent' || name === 'tracestate' ? name : `ce-${name}`] = [value];
  }
  if (contentType) headers['content-type'] = [contentType];
  const res = await deps.invocation.invoke(target.appId, { method: target.method.replace(/^\/+/, ''), verb: target.verb ?? 'POST', query: '', headers, body: bufferBody(body), buffered: body }, body);
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c);
  const answer = Buffer.concat(chunks);
  if (res.status < 200 || res.status > 299) throw new Error(`app ${target.appId} answered ${res.status} on ${target.method}: ${answer.toString('utf8', 0, 200)}`);
  return { body: answer, contentType: res.headers['content-type']?.[0] ?? '' };
}

/** Message headers an HTTP call can carry: valid names and values, not the ones the call sets itself. */
function isCarriedHeader(name: string, value: string): boolean {
  return !NOT_CARRIED_HEADERS.has(name.toLowerCase()) && isSendableHeader(name, value);
}

function stateSink(store: string, key: CelExpression, deps: MechaKindDeps): Sink {
  return {
    name: `state ${store}`,
    send: async (message) => {
      const k = key(message);
      if ((typeof k !== 'string' || k === '') && typeof k !== 'number' && typeof k !== 'bigint') throw new Error(`the state key expression gave ${JSON.stringify(k)}, not a string or number`);
      // JSON data is stored as the HTTP state API stores a value; binary data as its bytes.
      const { event } = message;
      const value = event.data !== undefined && typeof event.data_base64 !== 'string' ? encodeJsonValue(event.data) : { data: payloadOf(message).body, binary: true };
      await deps.blocks.state.save({ storeName: store, items: [{ key: String(k), value }], metadata: {} });
    },
  };
}
