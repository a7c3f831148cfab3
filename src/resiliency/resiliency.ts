import type { ComponentCategory } from '../contracts/component.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { CircuitBreakerPolicy, ObservedPolicy, PolicyDefinition, PolicyObserver, RetryPolicy } from './policies.js';

interface TargetRefs {
  timeout?: string;
  retry?: string;
  circuitBreaker?: string;
  /** The resource that names this target. */
  resource?: string;
}

/** Every Resiliency resource in scope, merged: named policies and the targets that use them. */
export interface ResiliencySpec {
  names: string[];
  timeouts: Map<string, number>;
  retries: Map<string, RetryPolicy>;
  circuitBreakers: Map<string, CircuitBreakerPolicy>;
  apps: Map<string, TargetRefs>;
  components: Map<string, { outbound?: TargetRefs; inbound?: TargetRefs }>;
}

/** The scope word daprd uses in reserved default policy names, per component category. */
const CATEGORY_SCOPE: Partial<Record<ComponentCategory, string>> = {
  state: 'Statestore',
  pubsub: 'Pubsub',
  bindings: 'Binding',
  secretstores: 'Secretstore',
  configuration: 'Configuration',
  lock: 'Lock',
};

/** daprd's built-in sidecar-to-sidecar retry: 3 attempts, 1 s apart, on UNAVAILABLE/UNAUTHENTICATED. */
export const BUILT_IN_SERVICE_RETRY: RetryPolicy = {
  policy: 'constant',
  durationMs: 1000,
  initialIntervalMs: 1000,
  maxIntervalMs: 1000,
  maxRetries: 2,
  grpcStatusCodes: new Set([14, 16]),
  // The app's own answers are never retried by the built-in policy.
  httpStatusCodes: new Set(),
};

/**
 * Which policy governs which call: a target's named policies first, then the reserved defaults from the
 * most specific (`DefaultStatestoreComponentOutboundRetryPolicy`) to the broadest (`DefaultRetryPolicy`).
 */
export class Resiliency {
  readonly #breakers = new Map<string, CircuitBreaker>();
  /** Each target's policy, resolved once: every state, publish and invocation call asks for it. */
  readonly #resolved = new Map<string, PolicyDefinition | undefined>();
  #observer?: PolicyObserver;

  constructor(private spec: ResiliencySpec) {}

  /** Told each time a policy applies or acts (metrics); unset, nothing is reported. */
  get observer(): PolicyObserver | undefined {
    return this.#observer;
  }

  set observer(observer: PolicyObserver | undefined) {
    this.#observer = observer;
    this.#resolved.clear();
  }

  /** Swaps in newly loaded resources (startup, reload); breakers start closed again. */
  update(spec: ResiliencySpec): void {
    this.spec = spec;
    this.#breakers.clear();
    this.#resolved.clear();
  }

  static empty(): Resiliency {
    return new Resiliency({ names: [], timeouts: new Map(), retries: new Map(), circuitBreakers: new Map(), apps: new Map(), components: new Map() });
  }

  get resourceNames(): string[] {
    return this.spec.names;
  }

  /** Calls to another app (service invocation). */
  appPolicy(appId: string): PolicyDefinition | undefined {
    const key = `app:${appId}`;
    if (this.#resolved.has(key)) return this.#resolved.get(key);
    return this.#policy(key, this.spec.apps.get(appId), ['App'], `app_${appId}`, 'outbound');
  }

  /** Calls from the sidecar to a component (outbound) or from a component's events into the app (inbound). */
  componentPolicy(name: string, category: ComponentCategory, direction: 'outbound' | 'inbound'): PolicyDefinition | undefined {
    const key = `component:${name}:${direction}`;
    if (this.#resolved.has(key)) return this.#resolved.get(key);
    const dir = direction === 'outbound' ? 'Outbound' : 'Inbound';
    const specific = CATEGORY_SCOPE[category];
    const scopes = [...(specific ? [`${specific}Component${dir}`] : []), `Component${dir}`, 'Component'];
    return this.#policy(key, this.spec.components.get(name)?.[direction], scopes, `${specific ?? category}_${name}`, direction);
  }

  /** Whether the target has a retry of its own (then the built-in service retry does not apply, as in daprd). */
  hasAppPolicy(appId: string): boolean {
    return this.spec.apps.has(appId);
  }

  /** The built-in sidecar retry, strengthened by a `DaprBuiltInServiceRetries` policy when one is defined. */
  builtInServiceRetry(): RetryPolicy {
    const custom = this.spec.retries.get('DaprBuiltInServiceRetries');
    if (!custom) return BUILT_IN_SERVICE_RETRY;
    return {
      ...custom,
      grpcStatusCodes: custom.grpcStatusCodes ?? BUILT_IN_SERVICE_RETRY.grpcStatusCodes,
      httpStatusCodes: custom.httpStatusCodes ?? BUILT_IN_SERVICE_RETRY.httpStatusCodes,
    };
  }

  breaker(def: PolicyDefinition | undefined): CircuitBreaker | undefined {
    if (!def?.circuitBreaker) return undefined;
    const { key, policy } = def.circuitBreaker;
    let b = this.#breakers.get(key);
    if (!b) {
      b = new CircuitBreaker(key, policy);
      this.#breakers.set(key, b);
    }
    return b;
  }

  #policy(key: string, refs: TargetRefs | undefined, scopes: string[], target: string, direction: ObservedPolicy['direction']): PolicyDefinition | undefined {
    const pick = <T>(kind: 'Timeout' | 'Retry' | 'CircuitBreaker', named: string | undefined, table: Map<string, T>): [string, T] | undefined => {
      if (named && table.has(named)) return [named, table.get(named)!];
      for (const name of [...scopes.map((s) => `Default${s}${kind}Policy`), `Default${kind}Policy`]) if (table.has(name)) return [name, table.get(name)!];
      return undefined;
    };
    const timeout = pick('Timeout', refs?.timeout, this.spec.timeouts);
    const retry = pick('Retry', refs?.retry, this.spec.retries);
    const breaker = pick('CircuitBreaker', refs?.circuitBreaker, this.spec.circuitBreakers);
    const definition: PolicyDefinition | undefined =
      timeout || retry || breaker
        ? {
            name: key,
            timeoutMs: timeout?.[1],
            retry: retry?.[1],
            circuitBreaker: breaker ? { key: `${key}/${breaker[0]}`, policy: breaker[1] } : undefined,
            observed: this.#observer && { observer: this.#observer, resource: refs?.resource ?? (this.spec.names.length === 1 ? this.spec.names[0] : ''), target, direction },
          }
        : undefined;
    this.#resolved.set(key, definition);
    return definition;
  }
}
