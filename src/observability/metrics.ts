import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';
import { DEFAULT_LATENCY_BUCKETS, FAMILIES, SIZE_BUCKETS, type FamilyKey } from './metric-families.js';
import { HttpPathLabeler, metricsMethod, type HttpMetricsOptions } from './http-path-label.js';
import { LabelCache } from './label-cache.js';
import { CounterFamily, HistogramFamily, type CounterCell, type HistogramCell } from './metric-cells.js';

/** `spec.metrics` (or the older `spec.metric`) of a Configuration, as daprd reads it. */
export interface MetricsSpec {
  enabled?: boolean;
  recordErrorCodes?: boolean;
  http?: HttpMetricsOptions;
  latencyDistributionBuckets?: number[];
  /** Label values rewritten by regex: `regex` maps each replacement to the pattern it replaces. */
  rules?: Array<{ name: string; labels?: Array<{ name: string; regex?: Record<string, string> }> }>;
}

/** The component categories whose calls are counted, and the families they count in. */
const COMPONENT_FAMILIES = {
  state: ['stateCount', 'stateLatency'],
  secretstores: ['secretCount', 'secretLatency'],
  configuration: ['configurationCount', 'configurationLatency'],
  bindings: ['outputBindingCount', 'outputBindingLatency'],
} as const satisfies Record<string, readonly [FamilyKey, FamilyKey]>;
export type InstrumentedCategory = keyof typeof COMPONENT_FAMILIES;

/** grpc-go's status names, by code, as daprd's `grpc_server_status` label spells them. */
const GRPC_STATUS = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

interface CountAndLatency {
  count: CounterCell;
  latency: HistogramCell;
}
type Family = CounterFamily | HistogramFamily;
type Rule = { regex: RegExp; replace: string };

/** daprd matches rules on the metric name without `dapr_`, underscores and slashes alike. */
const ruleKey = (metric: string, label: string) => `${metric.replace('dapr_', '').replace(/[_/]/g, '/')}\0${label}`;

/**
 * Mecha's Prometheus metrics. Until `enable` runs (metrics on), every recording method returns at once.
 * Label cells are bound once per label combination (rules applied then), so hot paths only look up
 * maps and add numbers.
 */
export class Metrics {
  readonly registry = new Registry();
  #on = false;
  #families = {} as Record<FamilyKey, Family>;
  #rules = new Map<string, Rule[]>();
  #paths = new HttpPathLabeler();
  #excludeVerbs = false;
  #http!: LabelCache<CountAndLatency & { responses?: CounterCell }>;
  #httpBytes!: { request: HistogramCell; response: HistogramCell };
  #client!: LabelCache<CountAndLatency & { sent: HistogramCell }>;
  #clientReceived!: HistogramCell;
  #grpc!: LabelCache<CountAndLatency>;
  #components = new Map<string, LabelCache<CountAndLatency>>();
  #egress!: LabelCache<CountAndLatency>;
  #bulkEgress!: LabelCache<CountAndLatency>;
  #ingress!: LabelCache<CountAndLatency>;
  #input!: LabelCache<CountAndLatency>;
  #invokeSent!: LabelCache<CounterCell>;
  #invokeAnswered!: LabelCache<CountAndLatency>;
  #invokeReceived!: LabelCache<CounterCell>;
  #invokeResponded!: LabelCache<CounterCell>;
  #resiliency!: LabelCache<{ applied: CounterCell; activated: CounterCell }>;

  constructor(
    readonly appId: string,
    readonly namespace = '',
  ) {}

  get enabled(): boolean {
    return this.#on;
  }

  /** Turns recording on, shaped by the Configuration's `spec.metrics`. Call once, before any traffic. */
  enable(spec: MetricsSpec = {}): void {
    const latency = spec.latencyDistributionBuckets?.length ? [...spec.latencyDistributionBuckets].sort((a, b) => a - b) : DEFAULT_LATENCY_BUCKETS;
    for (const [key, f] of Object.entries(FAMILIES) as Array<[FamilyKey, (typeof FAMILIES)[FamilyKey]]>) {
      const family = f.type === 'counter' ? new CounterFamily(f.name, f.help) : new HistogramFamily(f.name, f.help, f.buckets === 'size' ? SIZE_BUCKETS : latency);
      this.#families[key] = family;
      this.registry.registerMetric(family as unknown as Metric);
    }
    for (const rule of spec.rules ?? []) {
      for (const label of rule.labels ?? []) {
        const pairs = Object.entries(label.regex ?? {}).map(([replace, pattern]) => ({ regex: new RegExp(pattern, 'g'), replace }));
        this.#rules.set(ruleKey(rule.name, label.name), pairs);
      }
    }
    this.#paths = new HttpPathLabeler(spec.http);
    this.#excludeVerbs = spec.http?.excludeVerbs ?? false;
    const recordsResponses = this.#paths.recordsResponses;
    this.#http = new LabelCache((method, path, status) => ({
      count: this.#counter('httpRequests', { method, path, status }),
      latency: this.#histogram('httpLatency', { method, path, status }),
      responses: recordsResponses ? this.#counter('httpResponses', { method, path, status }) : undefined,
    }));
    this.#httpBytes = { request: this.#histogram('httpRequestBytes', {}), response: this.#histogram('httpResponseBytes', {}) };
    this.#client = new LabelCache((method, path, status) => ({
      count: this.#counter('clientCompleted', { method, path, status }),
      latency: this.#histogram('clientLatency', { method, path, status }),
      // daprd records the request size before the answer: its status label is empty.
      sent: this.#histogram('clientSentBytes', { method, path, status: '' }),
    }));
    this.#clientReceived = this.#histogram('clientReceivedBytes', {});
    this.#grpc = this.#pair('grpcCompleted', 'grpcLatency', (grpc_server_method, grpc_server_status) => ({ grpc_server_method, grpc_server_status }));
    for (const [category, [count, latency]] of Object.entries(COMPONENT_FAMILIES)) {
      this.#components.set(category, this.#pair(count, latency, (component, operation, success) => ({ component, operation, success })));
    }
    const egress = (component: string, topic: string, success: string) => ({ component, topic, success });
    this.#egress = this.#pair('egressCount', 'egressLatency', egress);
    this.#bulkEgress = this.#pair('bulkEgressCount', 'bulkEgressLatency', egress);
    this.#ingress = this.#pair('ingressCount', 'ingressLatency', (component, topic, process_status, status) => ({ component, topic, process_status, status }));
    this.#input = this.#pair('inputBindingCount', 'inputBindingLatency', (component, success) => ({ component, success }));
    this.#invokeSent = new LabelCache((dst_app_id) => this.#counter('invokeReqSent', { dst_app_id, type: 'unary' }));
    this.#invokeAnswered = this.#pair('invokeResRecv', 'invokeResRecvLatency', (src_app_id, status) => ({ src_app_id, status, type: 'unary' }));
    this.#invokeReceived = new LabelCache((src_app_id) => this.#counter('invokeReqRecv', { src_app_id }));
    this.#invokeResponded = new LabelCache((dst_app_id, status) => this.#counter('invokeResSent', { dst_app_id, status }));
    this.#resiliency = new LabelCache((name, policy, flow_direction, target) => {
      const values = { name, policy, flow_direction, target, status: '' };
      return { applied: this.#counter('resiliencyCount', values), activated: this.#counter('resiliencyActivations', values) };
    });
    collectDefaultMetrics({ register: this.registry });
    this.#on = true;
  }

  /** One HTTP API request, seen once it has been answered. `url` may carry a query string. */
  httpRequest(method: string, url: string, status: number, ms: number, requestBytes: number, responseBytes: number): void {
    if (!this.#on) return;
    const q = url.indexOf('?');
    const c = this.#http.get(metricsMethod(method, this.#excludeVerbs), this.#paths.label(q === -1 ? url : url.slice(0, q)), status);
    c.count.inc();
    c.latency.observe(ms);
    c.responses?.inc();
    this.#httpBytes.request.observe(requestBytes);
    this.#httpBytes.response.observe(responseBytes);
  }

  /** One HTTP API request refused for want of body budget (it is counted among the 503s too). */
  bodyShed(): void {
    if (this.#on) this.#counter('httpBodiesShed', {}).inc();
  }

  /** One answered call from the sidecar into its HTTP app (`path` may carry a query string). */
  appCall(method: string, path: string, status: number, ms: number, sentBytes: number, receivedBytes: number): void {
    if (!this.#on) return;
    const q = path.indexOf('?');
    const c = this.#client.get(metricsMethod(method, this.#excludeVerbs), this.#paths.label(q === -1 ? path : path.slice(0, q)), status);
    record(c, ms);
    c.sent.observe(sentBytes);
    this.#clientReceived.observe(receivedBytes);
  }

  /** One gRPC API call: `method` is the full path (`/dapr.proto.runtime.v1.Dapr/GetState`). */
  grpcCall(method: string, code: number, ms: number): void {
    if (!this.#on) return;
    const c = this.#grpc.get(method, GRPC_STATUS[code] ?? String(code));
    c.count.inc();
    c.latency.observe(ms);
  }

  /** One call into a state, secret, configuration or output binding component. */
  componentCall(category: InstrumentedCategory, component: string, operation: string, success: boolean, ms: number): void {
    if (!this.#on) return;
    record(this.#components.get(category)!.get(component, operation, success), ms);
  }

  publish(component: string, topic: string, success: boolean, ms: number, bulk = false): void {
    if (!this.#on) return;
    record((bulk ? this.#bulkEgress : this.#egress).get(component, topic, success), ms);
  }

  /** One event handed to the app: `processStatus` success, retry or drop; `status` as daprd labels it. */
  delivered(component: string, topic: string, processStatus: 'success' | 'retry' | 'drop', status: string, ms: number): void {
    if (!this.#on) return;
    record(this.#ingress.get(component, topic, processStatus, status), ms);
  }

  inputBinding(component: string, success: boolean, ms: number): void {
    if (!this.#on) return;
    record(this.#input.get(component, success), ms);
  }

  invocationSent(dstAppId: string): void {
    if (this.#on) this.#invokeSent.get(dstAppId).inc();
  }

  /** The answer to a call this sidecar sent; `status` is the HTTP status, or the gRPC code when none came back. */
  invocationAnswered(srcAppId: string, status: number, ms: number): void {
    if (this.#on) record(this.#invokeAnswered.get(srcAppId, status), ms);
  }

  invocationReceived(srcAppId: string): void {
    if (this.#on) this.#invokeReceived.get(srcAppId).inc();
  }

  invocationResponded(dstAppId: string, status: number): void {
    if (this.#on) this.#invokeResponded.get(dstAppId, status).inc();
  }

  componentInitialized(type: string): void {
    if (!this.#on) return;
    this.#counter('componentInit', { component: type }).inc();
    this.#counter('componentLoaded', {}).inc();
  }

  /** daprd's `reason` is `init` for a component that could not be created or initialised. */
  componentInitFailed(type: string, name: string): void {
    if (this.#on) this.#counter('componentInitFail', { component: type, componentName: name, reason: 'init' }).inc();
  }

  resiliencyLoaded(name: string): void {
    if (this.#on) this.#counter('resiliencyLoaded', { name }).inc();
  }

  /** A policy applied to a call (`activated` false) or acting on one: a retry, a timeout, a breaker trip. */
  resiliencyPolicy(name: string, policy: 'retry' | 'timeout' | 'circuitbreaker', direction: 'inbound' | 'outbound', target: string, activated: boolean): void {
    if (!this.#on) return;
    const c = this.#resiliency.get(name, policy, direction, target);
    (activated ? c.activated : c.applied).inc();
  }

  /** A payload or call broke `contract` at `point`; `action`: rejected, dead-lettered, dropped or logged. */
  contractViolation(contract: string, point: string, action: string): void {
    if (this.#on) this.#counter('contractViolations', { contract, point, action }).inc();
  }

  #counter(key: FamilyKey, values: Record<string, string>): CounterCell {
    return (this.#families[key] as CounterFamily).bind(this.#labels(key, values));
  }

  #histogram(key: FamilyKey, values: Record<string, string>): HistogramCell {
    return (this.#families[key] as HistogramFamily).bind(this.#labels(key, values));
  }

  /** A family's full label set: app_id and namespace filled in, rules applied to every value. */
  #labels(key: FamilyKey, values: Record<string, string>): Record<string, string> {
    const f = FAMILIES[key];
    const labels: Record<string, string> = {};
    for (const name of f.labels) {
      let value = name === 'app_id' ? this.appId : name === 'namespace' ? this.namespace : (values[name] ?? '');
      // As daprd: empty values are left out, so no rule applies to them.
      if (value !== '') for (const r of this.#rules.get(ruleKey(f.name, name)) ?? []) value = value.replace(r.regex, r.replace);
      labels[name] = value;
    }
    return labels;
  }

  #pair(count: FamilyKey, latency: FamilyKey, values: (a: string, b: string, c: string, d: string) => Record<string, string>): LabelCache<CountAndLatency> {
    return new LabelCache((a, b, c, d) => ({ count: this.#counter(count, values(a, b, c, d)), latency: this.#histogram(latency, values(a, b, c, d)) }));
  }
}

function record(c: CountAndLatency, ms: number): void {
  c.count.inc();
  c.latency.observe(ms);
}
