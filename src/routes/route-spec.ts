import type { ValidateFunction } from 'ajv';
import { ajv, describeAjvError } from '../config/ajv.js';
import type { MechaResource } from '../config/mecha-resources.js';
import type { KindChannel, MechaKindDeps } from '../runtime/mecha-kinds/mecha-kind.js';
import { invokedApps, routeChannels } from './route-channels.js';
import { parseSink, type Sink } from './sinks.js';
import type { RouteStep, StepContext, StepDefinition } from './step.js';

type Problem = { field?: string; message: string };
const str = { type: 'string', minLength: 1 };

export const SPEC_SCHEMA = {
  type: 'object',
  properties: {
    from: { type: 'object' },
    steps: { type: 'array', items: { type: 'object', minProperties: 1 }, default: [] },
    to: { type: 'array', minItems: 1, items: { type: 'object' } },
    // A pub/sub sink: `{ pubsub, topic }`, checked with the sinks.
    deadLetter: { type: 'object' },
  },
  required: ['from', 'to'],
  additionalProperties: false,
};

export const SOURCE_SCHEMAS = {
  pubsub: { type: 'object', properties: { pubsub: str, topic: str, metadata: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['pubsub', 'topic'], additionalProperties: false },
  binding: { type: 'object', properties: { binding: str }, required: ['binding'], additionalProperties: false },
  http: {
    type: 'object',
    properties: {
      http: {
        type: 'object',
        // Not under the Dapr API (`/v1.0…`) nor the app callbacks (`/dapr/…`): those paths are served already.
        properties: { path: { type: 'string', pattern: '^/(?!v1\\.0|dapr/)[^?#\\s]*$' }, method: { type: 'string', enum: ['POST', 'PUT', 'PATCH'], default: 'POST' } },
        required: ['path'],
        additionalProperties: false,
      },
    },
    required: ['http'],
    additionalProperties: false,
  },
} as const;
type SourceKind = keyof typeof SOURCE_SCHEMAS;

let validators: { spec: ValidateFunction; sources: Record<SourceKind, ValidateFunction> } | undefined;

export type SourceDefinition = { pubsub: string; topic: string; metadata?: Record<string, string> } | { binding: string } | { http: { path: string; method: string } };

/** A route as loaded: everything checked and compiled, nothing running yet. */
export interface RouteDefinition {
  name: string;
  source: SourceDefinition;
  steps: Array<{ key: string; position: string; create(ctx: StepContext): RouteStep }>;
  sinks: Array<(deps: MechaKindDeps) => Sink>;
  deadLetter?: (deps: MechaKindDeps) => Sink;
  /** The topics it reads and publishes to, for the app's AsyncAPI document. */
  channels: KindChannel[];
  /** The apps its sinks and steps invoke: a route invoking its own app reads its source once the app is reachable. */
  invokes: string[];
  /** The spec as written: a route whose fingerprint did not change keeps running on reload. */
  fingerprint: string;
}

/** Reads one Route's spec with every problem at once (fields as `spec.steps[1].transform.jsonata`). */
export function parseRoute(resource: MechaResource, registry: readonly StepDefinition[]): { problems: Problem[]; route?: RouteDefinition } {
  validators ??= {
    spec: ajv.compile(SPEC_SCHEMA),
    sources: Object.fromEntries(Object.entries(SOURCE_SCHEMAS).map(([k, s]) => [k, ajv.compile(s)])) as Record<SourceKind, ValidateFunction>,
  };
  const fingerprint = JSON.stringify(resource.spec);
  const spec = structuredClone(resource.spec);
  const problems: Problem[] = [];
  if (!validators.spec(spec)) problems.push(...(validators.spec.errors ?? []).map((e) => describeAjvError(e, 'spec')));
  // Each part of the right shape is checked further, so one pass reports every problem.
  const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const source = isObj(spec.from) ? parseSource(spec.from, problems) : undefined;
  const items = Array.isArray(spec.steps) ? (spec.steps as unknown[]) : [];
  const steps = items.flatMap((raw, i) => {
    if (!isObj(raw) || Object.keys(raw as object).length === 0) return [];
    const item = raw as Record<string, unknown>;
    const position = `spec.steps[${i}]`;
    const keys = Object.keys(item);
    const found = registry.filter((d) => keys.includes(d.key));
    if (found.length !== 1) {
      problems.push({ field: position, message: `must name exactly one step: ${registry.map((d) => d.key).join(', ')}; got ${keys.join(', ')}` });
      return [];
    }
    const def = found[0];
    const extra = keys.filter((k) => k !== def.key && !def.siblings?.includes(k));
    for (const k of extra) problems.push({ field: `${position}.${k}`, message: `is not a field of the ${def.key} step` });
    const config = def.siblings ? item : item[def.key];
    const parsed = def.parse(config, `${position}.${def.key}`);
    problems.push(...parsed.problems);
    return parsed.create && extra.length === 0 ? [{ key: def.key, position, create: parsed.create }] : [];
  });
  const sinks = (Array.isArray(spec.to) ? (spec.to as unknown[]) : []).flatMap((c, i) => {
    if (!isObj(c)) return [];
    const sink = parseSink(c, `spec.to[${i}]`);
    problems.push(...sink.problems);
    return sink.create ? [sink.create] : [];
  });
  const dead = !isObj(spec.deadLetter) ? undefined : 'pubsub' in (spec.deadLetter as object) ? parseSink(spec.deadLetter, 'spec.deadLetter') : { problems: [{ field: 'spec.deadLetter.pubsub', message: 'is required' }] };
  problems.push(...(dead?.problems ?? []));
  const deadLetter = dead?.create;
  if (problems.length > 0 || !source) return { problems };
  return { problems, route: { name: resource.name, source, steps, sinks, deadLetter, channels: routeChannels(resource.name, spec), invokes: invokedApps(spec), fingerprint } };
}

function parseSource(from: unknown, problems: Problem[]): SourceDefinition | undefined {
  const kinds = (Object.keys(SOURCE_SCHEMAS) as SourceKind[]).filter((k) => k in (from as object));
  if (kinds.length !== 1) {
    problems.push({ field: 'spec.from', message: `must name exactly one source: ${Object.keys(SOURCE_SCHEMAS).join(', ')}` });
    return undefined;
  }
  const validate = validators!.sources[kinds[0]];
  if (validate(from)) return from as SourceDefinition;
  for (const e of validate.errors ?? []) {
    const p = describeAjvError(e, 'spec.from');
    problems.push(e.keyword === 'pattern' ? { field: p.field, message: 'must be a path starting with "/", outside /v1.0… and /dapr/…, without query' } : p);
  }
  return undefined;
}
