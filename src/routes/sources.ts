import { isInputBinding, type Binding } from '../contracts/binding.js';
import type { PubSub } from '../contracts/pubsub.js';
import { dataKind, isCloudEventContentType } from '../core/pubsub-envelope.js';
import { TopicAcl } from '../core/pubsub-topic-acl.js';
import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import type { MechaKindDeps } from '../runtime/mecha-kinds/mecha-kind.js';
import { consumerIdOf } from '../runtime/pubsubs.js';
import { decodeEvent, isExpired } from '../runtime/subscriptions/event-decoding.js';
import { depthExceededAt, depthMessage } from '../util/json-text.js';
import { messageOfPayload, NOT_CARRIED_HEADERS } from './message.js';
import type { RouteRunner } from './route-runner.js';
import type { RouteMessage } from './step.js';

/** A running source: `close` stops taking messages and waits for those it handed over (the broker keeps the rest). */
export interface RunningSource {
  close(): Promise<void>;
}

/**
 * Subscribes on the pub/sub component itself, in a consumer group of the route's own
 * (`<consumerID>-route-<name>`), so the route gets every message whether or not the app subscribes to the
 * topic. The broker's rule applies: a message is acknowledged only once the route's handling resolved.
 */
export async function startPubSubSource(source: { pubsub: string; topic: string; metadata?: Record<string, string> }, runner: RouteRunner, deps: MechaKindDeps): Promise<RunningSource> {
  const c = deps.components.get<PubSub>('pubsub', source.pubsub);
  if (!c) throw new Error(`pubsub ${source.pubsub} is not found`);
  if (!new TopicAcl(c.spec.runtimeMetadata, deps.appId).canSubscribe(source.topic)) throw new Error(`subscribing to topic ${source.topic} on pubsub ${source.pubsub} is not allowed for the app`);
  const consumerId = `${consumerIdOf(c.spec.runtimeMetadata, deps.appId, source.pubsub)}-route-${runner.definition.name}`;
  return c.instance.subscribe({ topic: source.topic, consumerId, metadata: source.metadata ?? {} }, async (delivered) => {
    let event;
    try {
      event = decodeEvent(delivered, false, source.pubsub).event;
    } catch {
      // Not a CloudEvent: carried as a raw payload, as a `rawPayload` subscription reads it.
      event = decodeEvent(delivered, true, source.pubsub).event;
    }
    if (isExpired(event)) {
      deps.logger.warn({ route: runner.definition.name, id: event.id, expiration: event.expiration }, 'expired event dropped');
      return;
    }
    await runner.handle({ event, headers: { ...delivered.metadata } });
  });
}

/**
 * Reads an input binding: each event becomes a message (JSON data as a value, else text). A rejected event
 * is redelivered if the component can (Kafka, Redis streams); a cron tick that fails is logged by it.
 */
export async function startBindingSource(source: { binding: string }, runner: RouteRunner, deps: MechaKindDeps): Promise<RunningSource> {
  const c = deps.components.get<Binding>('bindings', source.binding);
  if (!c) throw new Error(`binding ${source.binding} is not found`);
  if (!isInputBinding(c.instance)) throw new Error(`binding ${source.binding} (${c.spec.type}) is not an input binding`);
  const handle = await c.instance.read(async (e) => {
    const message = messageOfPayload(e.data, undefined, { source: `bindings/${source.binding}`, type: 'io.mecha.route.binding', traceparent: e.metadata.traceparent }, { ...e.metadata });
    await runner.handle(message);
    return undefined;
  });
  return handle;
}

/** A webhook request as the HTTP transport decoded it. */
export interface WebhookRequest {
  body: Buffer;
  /** Lower-case names, first value of each. */
  headers: Record<string, string>;
  path: string;
}

/**
 * The message a webhook becomes: body → data, content-type → datacontenttype, headers → headers. A
 * structured CloudEvent (`application/cloudevents+json`) is the event itself.
 */
export function webhookMessage(req: WebhookRequest): RouteMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!NOT_CARRIED_HEADERS.has(name)) headers[name] = value;
  const contentType = req.headers['content-type'];
  const structured = isCloudEventContentType(contentType);
  if (contentType && req.body.length > 0 && (structured || dataKind(contentType) === 'json')) assertJson(req.body, contentType);
  const event = structured ? structuredEvent(req.body) : undefined;
  if (event) return { event, headers };
  return messageOfPayload(req.body, req.headers['content-type'], { source: req.path, type: 'io.mecha.route.http', traceparent: req.headers.traceparent, tracestate: req.headers.tracestate }, headers);
}

/**
 * A body that says it is JSON and is not is the caller's mistake, not a text message to route; so is one
 * nested deeper than the other APIs take (steps and sinks would overflow the stack on it).
 */
function assertJson(body: Buffer, contentType: string): void {
  const text = body.toString('utf8');
  const deep = depthExceededAt(text);
  if (deep) throw new SidecarError(Errors.MalformedRequest, `webhook body: ${depthMessage(deep)}`);
  try {
    JSON.parse(text);
  } catch (err) {
    throw new SidecarError(Errors.MalformedRequest, `webhook body is not valid JSON (content-type ${contentType}): ${(err as Error).message}`);
  }
}

/** A structured-mode CloudEvent body, or undefined when it is not a JSON object with an id, source and type. */
function structuredEvent(body: Buffer): RouteMessage['event'] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const e = parsed as Record<string, unknown>;
  return typeof e.id === 'string' && typeof e.source === 'string' && typeof e.type === 'string' ? { specversion: '1.0', ...e } : undefined;
}
