import { compileRoutes } from './routing.js';

/** How a subscription came to be, as the metadata API reports it. */
export type SubscriptionType = 'DECLARATIVE' | 'PROGRAMMATIC' | 'STREAMING';

/** One routing rule: `match` is a CEL expression over `event` (empty: matches everything). */
export interface RouteRule {
  match: string;
  path: string;
}

export interface BulkSubscribeOptions {
  enabled: boolean;
  maxMessagesCount: number;
  maxAwaitDurationMs: number;
}

/** A subscription of this app, whichever way it was declared; rules in order, the default route last. */
export interface SubscriptionDefinition {
  /** The resource name (declarative only). */
  name?: string;
  pubsubName: string;
  topic: string;
  rules: RouteRule[];
  /** Passed to the broker's subscribe and read by the sidecar (`rawPayload`). */
  metadata: Record<string, string>;
  deadLetterTopic?: string;
  bulkSubscribe?: BulkSubscribeOptions;
  type: SubscriptionType;
}

export interface FieldError {
  field: string;
  message: string;
}

const BULK_DEFAULT_COUNT = 100;
const BULK_DEFAULT_AWAIT_MS = 1000;

/**
 * Reads a subscription from a `Subscription` resource's `spec` or one `/dapr/subscribe` item. Keys match
 * case-insensitively (Go's JSON decoding); `routes` wins over `route`; the default route becomes the
 * last, match-all rule. Every problem is returned, each naming its field under `prefix`.
 * `grpcRoutes` reads routes the way daprd reads a gRPC app's ListTopicSubscriptions: with neither rules
 * nor a default, every event goes to the empty path (the SDKs register their default handlers under it).
 */
export function readSubscription(
  raw: Record<string, unknown>,
  type: SubscriptionType,
  prefix: string,
  options: { grpcRoutes?: boolean } = {},
): { value?: SubscriptionDefinition; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const str = (name: string, required: boolean): string | undefined => {
    const v = get(raw, name);
    if (v === undefined || v === null || v === '') {
      if (required) errors.push({ field: `${prefix}${name}`, message: 'is required' });
      return undefined;
    }
    if (typeof v === 'string') return v;
    errors.push({ field: `${prefix}${name}`, message: `must be a string, got ${JSON.stringify(v)}` });
    return undefined;
  };
  const pubsubName = str('pubsubname', true);
  const topic = str('topic', true);
  const deadLetterTopic = str('deadLetterTopic', false);
  const rules = readRules(raw, prefix, errors);
  if (options.grpcRoutes && rules.length === 0 && errors.length === 0) rules.push({ match: '', path: '' });
  const metadata = readStringMap(get(raw, 'metadata'), `${prefix}metadata`, errors);
  const bulkSubscribe = readBulk(get(raw, 'bulkSubscribe'), `${prefix}bulkSubscribe`, errors);
  if (rules.length === 0 && errors.length === 0) errors.push({ field: `${prefix}routes`, message: 'a route is required (routes.default, routes.rules or route)' });
  if (errors.length === 0) {
    try {
      compileRoutes(rules);
    } catch (err) {
      errors.push({ field: `${prefix}routes.rules`, message: (err as Error).message });
    }
  }
  if (errors.length > 0) return { errors };
  return { value: { pubsubName: pubsubName!, topic: topic!, rules, metadata, deadLetterTopic, bulkSubscribe, type }, errors };
}

function readRules(raw: Record<string, unknown>, prefix: string, errors: FieldError[]): RouteRule[] {
  const routes = get(raw, 'routes');
  if (routes !== undefined && routes !== null) {
    if (!isObject(routes)) {
      errors.push({ field: `${prefix}routes`, message: 'must be an object with rules and default' });
      return [];
    }
    const rules: RouteRule[] = [];
    const list = get(routes, 'rules') ?? [];
    if (!Array.isArray(list)) errors.push({ field: `${prefix}routes.rules`, message: 'must be a list of {match, path}' });
    else {
      list.forEach((r: unknown, i) => {
        const match = isObject(r) ? get(r, 'match') ?? '' : undefined;
        const path = isObject(r) ? get(r, 'path') : undefined;
        if (typeof match !== 'string') errors.push({ field: `${prefix}routes.rules[${i}].match`, message: 'must be a string (a CEL expression)' });
        if (typeof path !== 'string' || path === '') errors.push({ field: `${prefix}routes.rules[${i}].path`, message: 'is required' });
        if (typeof match === 'string' && typeof path === 'string' && path !== '') rules.push({ match, path });
      });
    }
    const fallback = get(routes, 'default');
    if (typeof fallback === 'string' && fallback !== '') rules.push({ match: '', path: fallback });
    return rules;
  }
  const route = get(raw, 'route');
  if (typeof route === 'string' && route !== '') return [{ match: '', path: route }];
  if (route !== undefined && route !== null && route !== '') errors.push({ field: `${prefix}route`, message: 'must be a string' });
  return [];
}

function readStringMap(v: unknown, field: string, errors: FieldError[]): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    errors.push({ field, message: 'must be a map of strings' });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (val !== null && typeof val === 'object') errors.push({ field: `${field}.${k}`, message: 'must be a string' });
    else if (val !== null) out[k] = String(val);
  }
  return out;
}

function readBulk(v: unknown, field: string, errors: FieldError[]): BulkSubscribeOptions | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    errors.push({ field, message: 'must be an object {enabled, maxMessagesCount, maxAwaitDurationMs}' });
    return undefined;
  }
  const enabled = get(v, 'enabled');
  if (enabled !== undefined && typeof enabled !== 'boolean') errors.push({ field: `${field}.enabled`, message: 'must be a boolean' });
  const number = (name: string, fallback: number): number => {
    const n = get(v, name);
    if (n === undefined || n === null || n === 0) return fallback;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) errors.push({ field: `${field}.${name}`, message: 'must be a positive integer' });
    return typeof n === 'number' && n > 0 ? n : fallback;
  };
  return {
    enabled: enabled === true,
    maxMessagesCount: number('maxMessagesCount', BULK_DEFAULT_COUNT),
    maxAwaitDurationMs: number('maxAwaitDurationMs', BULK_DEFAULT_AWAIT_MS),
  };
}

/** Go's encoding/json: the exact key first, else a case-insensitive match. */
function get(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
