import type { ResourceProblem } from '../config/resource-problem.js';
import type { MechaKindDeps } from '../runtime/mecha-kinds/mecha-kind.js';

/**
 * A message as it travels through a route: a CloudEvent (attributes and `data`) and its headers. A pub/sub
 * source gives the event as delivered; a binding or webhook source gets one built around its payload.
 */
export interface RouteMessage {
  /** CloudEvent attributes (`id`, `source`, `type`, `specversion`, `datacontenttype`, `traceparent`…) and `data`. */
  event: Record<string, unknown> & { data?: unknown };
  /** Metadata carried along (binding metadata, webhook headers, set/removed by steps). */
  headers: Record<string, string>;
}

/** What a step may use while it runs. */
export interface StepContext {
  /** The route's name, for state keys, logs and metrics. */
  route: string;
  /** The step's position in `spec.steps`, e.g. `spec.steps[2]`, for state keys and problems. */
  position: string;
  deps: MechaKindDeps;
  /**
   * Sends messages produced later, not as the answer to one input (an aggregation completed by its timeout,
   * a delayed message): they continue with the step after this one. Resolves once every sink accepted them.
   */
  emit(messages: RouteMessage[]): Promise<void>;
  /** Aborted when the route stops (reload or shutdown). */
  signal: AbortSignal;
}

/**
 * One enterprise integration pattern. `process` resolves with the messages that continue (none: filtered or
 * held back, e.g. by an aggregator); it resolves only once what it holds is persisted, so the source may be
 * acknowledged. A rejection sends the input message to the route's dead-letter sink after retries.
 */
export interface RouteStep {
  process(message: RouteMessage): Promise<RouteMessage[]>;
  /**
   * Called with the input of `process` once every sink accepted what it led to, before the source is
   * acknowledged; never when the route failed the message. For steps that may only remember a message once
   * it was delivered (the idempotent consumer records its key here).
   */
  committed?(message: RouteMessage): Promise<void>;
  /** Starts timers or recovers persisted work (e.g. pending aggregations after a restart). */
  start?(): Promise<void>;
  close?(): Promise<void>;
}

/** Reads one step's YAML (the value under its key, e.g. the mapping under `aggregate:`). */
export interface StepDefinition {
  /** The key that names the step in `spec.steps[i]`, e.g. `filter`, `aggregate`. */
  readonly key: string;
  /**
   * Keys beside `key` in the same step mapping that belong to this step (a choice's `otherwise`). When set,
   * `parse` receives the whole step mapping instead of the value under `key`.
   */
  readonly siblings?: readonly string[];
  /** Validates the step's configuration; `field` is the dotted path for problems, e.g. `spec.steps[3].aggregate`. */
  parse(config: unknown, field: string): { problems: Array<Pick<ResourceProblem, 'field' | 'message'>>; create?: (ctx: StepContext) => RouteStep };
}
