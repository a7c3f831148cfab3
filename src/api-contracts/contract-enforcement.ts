import type { Logger } from 'pino';
import type { ContractChecks, PublishedPayload, Violation } from '../core/contract-gate.js';
import type { InvokeRequest, InvokeResponse } from '../core/invocation/types.js';
import { isCloudEventContentType, mediaType } from '../core/pubsub-envelope.js';
import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import { bufferBody, readAll } from '../util/body-streams.js';
import type { Metrics } from '../observability/metrics.js';
import type { TopicRule } from './asyncapi-topics.js';
import type { BindingRule, LoadedContract } from './contract-spec.js';
import { checkRequest, checkResponse, findOperation, type Operation } from './openapi-operations.js';

type Point = 'publish' | 'delivery' | 'binding' | 'invocation' | 'answer';
interface Bound<T> {
  contract: LoadedContract;
  rule: T;
}

/**
 * The running contracts as the cores see them: rules indexed by topic, binding and app, each applied as
 * its contract's `enforce` says — `reject` refuses (ERR_CONTRACT_VIOLATION, dead-letter), `warn` logs and
 * lets through, `off` skips. Every violation found is logged and counted.
 */
export class ContractEnforcement implements ContractChecks {
  readonly #publish = new Map<string, Array<Bound<TopicRule>>>();
  readonly #subscribe = new Map<string, Array<Bound<TopicRule>>>();
  readonly #bindings = new Map<string, Array<Bound<BindingRule>>>();
  readonly #apps = new Map<string, Array<Bound<Operation[]>>>();

  constructor(
    contracts: readonly LoadedContract[],
    private readonly appId: string,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {
    const add = <T>(map: Map<string, Array<Bound<T>>>, key: string, contract: LoadedContract, rule: T) => map.set(key, [...(map.get(key) ?? []), { contract, rule }]);
    for (const c of contracts.filter((c) => c.enforce !== 'off')) {
      for (const t of c.topics) {
        if (t.directions.includes('publish')) add(this.#publish, `${t.pubsubName}\0${t.topic}`, c, t);
        if (t.directions.includes('subscribe')) add(this.#subscribe, `${t.pubsubName}\0${t.topic}`, c, t);
      }
      for (const b of c.bindings) add(this.#bindings, b.name, c, b);
      if (c.openapi) add(this.#apps, c.openapi.appId, c, c.openapi.operations);
    }
  }

  publish(pubsubName: string, topic: string, payloads: readonly PublishedPayload[], bulk: boolean): void {
    const rules = this.#publish.get(`${pubsubName}\0${topic}`);
    if (!rules) return;
    const values = payloads.map((p) => publishedData(p));
    for (const { contract, rule } of rules) {
      const violations = values.flatMap((v, i) => prefixed(v.error ?? rule.check(v.value), bulk ? `/entries/${i}` : ''));
      this.#enforce(contract, 'publish', `topic ${topic} of pubsub ${pubsubName}`, violations);
    }
  }

  delivery(pubsubName: string, topic: string, event: Record<string, unknown>, deadLetterTopic?: string): string | undefined {
    const rules = this.#subscribe.get(`${pubsubName}\0${topic}`);
    if (!rules) return undefined;
    const data = eventData(event);
    for (const { contract, rule } of rules) {
      const violations = data.error ?? rule.check(data.value);
      if (violations.length === 0) continue;
      const what = `event ${String(event.id)} on topic ${topic} of pubsub ${pubsubName}`;
      if (contract.enforce === 'warn') {
        this.#record(contract, 'delivery', 'logged', what, violations);
        continue;
      }
      this.#record(contract, 'delivery', deadLetterTopic ? 'dead-lettered' : 'dropped', what, violations);
      return `contract ${contract.name}: ${describe(violations)}`;
    }
    return undefined;
  }

  binding(name: string, operation: string, data: Buffer): void {
    for (const { contract, rule } of this.#bindings.get(name) ?? []) {
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      const value = parseData(data, '');
      this.#enforce(contract, 'binding', `operation ${operation} of output binding ${name}`, value.error ?? rule.check(value.value));
    }
  }

  coversApp(appId: string): boolean {
    return this.#apps.has(appId);
  }

  invoke(appId: string, req: InvokeRequest, body: Buffer): void {
    const { verb, path } = callOf(req);
    for (const { contract, rule } of this.#apps.get(appId) ?? []) {
      const found = findOperation(rule, verb, path);
      const violations = found ? checkRequest(found.op, found.pathParams, { verb, path, query: req.query, headers: req.headers, body }) : [{ pointer: '', message: `${verb} ${path} is not an operation of app ${appId}` }];
      this.#enforce(contract, 'invocation', `call ${verb} ${path} to app ${appId}`, violations);
    }
  }

  async answer(req: InvokeRequest, res: InvokeResponse): Promise<InvokeResponse> {
    const { verb, path } = callOf(req);
    const covered = (this.#apps.get(this.appId) ?? []).flatMap(({ contract, rule }) => {
      const found = findOperation(rule, verb, path);
      return found && found.op.responses.size > 0 ? [{ contract, op: found.op }] : [];
    });
    if (covered.length === 0) return res;
    const body = res.buffered ?? (await readAll(res.body));
    for (const { contract, op } of covered) {
      const violations = checkResponse(op, res.status, res.headers['content-type']?.[0], body);
      if (violations.length > 0) this.#record(contract, 'answer', 'logged', `answer ${res.status} of our app to ${verb} ${path}`, violations);
    }
    return { ...res, body: bufferBody(body), buffered: body };
  }

  /** `reject`: counted and thrown; `warn`: logged, counted and let through. */
  #enforce(contract: LoadedContract, point: Point, what: string, violations: Violation[]): void {
    if (violations.length === 0) return;
    if (contract.enforce === 'warn') return this.#record(contract, point, 'logged', what, violations);
    this.metrics?.contractViolation(contract.name, point, 'rejected');
    throw new SidecarError(Errors.ContractViolation, `${what} breaks contract ${contract.name}: ${describe(violations)}`, {
      metadata: { contract: contract.name, appID: this.appId },
      fieldViolations: violations.map((v) => ({ field: v.pointer, description: v.message })),
    });
  }

  #record(contract: LoadedContract, point: Point, action: string, what: string, violations: Violation[]): void {
    this.metrics?.contractViolation(contract.name, point, action);
    this.logger.warn({ contract: contract.name, point, action, violations }, `${what} breaks contract ${contract.name} (${action})`);
  }
}

/** The verb (gRPC calls without one count as POST) and the path (with its leading slash) of a call. */
function callOf(req: InvokeRequest): { verb: string; path: string } {
  return { verb: req.verb === '' || req.verb === 'NONE' ? 'POST' : req.verb.toUpperCase(), path: `/${req.method.replace(/^\//, '')}` };
}

/** `pointer message; …`, the root shown as `(root)`. */
function describe(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.pointer || '(root)'} ${v.message}`).join('; ');
}

function prefixed(violations: Violation[], prefix: string): Violation[] {
  return prefix ? violations.map((v) => ({ ...v, pointer: `${prefix}${v.pointer}` })) : violations;
}

type Data = { value?: unknown; error?: Violation[] };

/** The data a publish carries: a CloudEvent's `data`, else the body itself (parsed as JSON when it says so). */
function publishedData(p: PublishedPayload): Data {
  if (p.raw || !isCloudEventContentType(p.contentType)) return parseData(p.event, p.contentType);
  let event: unknown;
  try {
    event = JSON.parse(p.event.toString('utf8'));
  } catch {
    return { error: [{ pointer: '', message: 'is not a JSON CloudEvent' }] };
  }
  return typeof event === 'object' && event !== null && !Array.isArray(event) ? eventData(event as Record<string, unknown>) : { error: [{ pointer: '', message: 'is not a JSON CloudEvent' }] };
}

/** A CloudEvent's data: `data` as it is, or `data_base64` decoded (and read as JSON when it is). */
function eventData(event: Record<string, unknown>): Data {
  if (typeof event.data_base64 === 'string') return parseData(Buffer.from(event.data_base64, 'base64'), typeof event.datacontenttype === 'string' ? event.datacontenttype : '');
  return { value: event.data };
}

/** JSON for JSON content types (an error when it is not), text for other text, JSON when it parses for unknown ones. */
function parseData(bytes: Buffer, contentType: string): Data {
  const media = mediaType(contentType);
  const text = bytes.toString('utf8');
  const json = media === '' || media === 'application/octet-stream' || /[/+]json$/.test(media);
  if (!json) return { value: text };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return /[/+]json$/.test(media) ? { error: [{ pointer: '', message: 'is not valid JSON' }] } : { value: text };
  }
}
