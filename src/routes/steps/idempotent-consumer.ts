import { StateFeature } from '../../contracts/state.js';
import type { CelExpression } from '../expressions.js';
import type { RouteMessage, RouteStep, StepContext, StepDefinition } from '../step.js';
import { StepConfig, keyOf } from './step-config.js';
import { StepState, type Versioned } from './step-state.js';
import { backoff } from './waiting.js';

const DEFAULT_IN_FLIGHT_SECONDS = 300;
const MAX_ATTEMPTS = 20;

interface Settings {
  expression: CelExpression;
  store: string;
  ttlInSeconds?: number;
  inFlightSeconds: number;
}

/**
 * What is stored per key: a claim while its first message is on its way (`pending`: that message's event
 * id, until when), then the record that it was delivered (`expires`: epoch ms, checked for stores without TTL).
 */
interface Seen {
  pending?: string;
  until?: number;
  expires?: number;
}

export const idempotentConsumerStep: StepDefinition = {
  key: 'idempotentConsumer',
  parse(config, field) {
    const c = new StepConfig();
    const m = c.mapping(config, field, ['expression', 'stateStore', 'ttlInSeconds', 'inFlightSeconds']);
    if (!m) return { problems: c.problems };
    const expression = c.expression(m.expression, `${field}.expression`);
    const store = c.string(m.stateStore, `${field}.stateStore`);
    const ttlInSeconds = m.ttlInSeconds === undefined ? undefined : c.positiveInteger(m.ttlInSeconds, `${field}.ttlInSeconds`);
    const inFlightSeconds = m.inFlightSeconds === undefined ? DEFAULT_IN_FLIGHT_SECONDS : c.positiveInteger(m.inFlightSeconds, `${field}.inFlightSeconds`, 86_400);
    return c.result(() => (ctx: StepContext) => new IdempotentConsumer(ctx, { expression: expression!, store: store!, ttlInSeconds, inFlightSeconds: inFlightSeconds! }));
  },
};

/**
 * Filters messages whose key was seen. The first message of a key claims it (compare-and-set, so one
 * replica wins) and passes; the key counts as delivered only in `committed`, once every sink accepted
 * the message. Until then other messages with that key are filtered, but a redelivery of the claiming
 * message itself (same event id: the route failed it, or its sidecar died) passes again; a claim left
 * `inFlightSeconds` ago no longer holds.
 */
class IdempotentConsumer implements RouteStep {
  readonly #state: StepState;
  /** Keys of the messages that passed, until they are committed. */
  readonly #passed = new WeakMap<RouteMessage, string>();
  #storeTtl = false;

  constructor(
    private readonly ctx: StepContext,
    private readonly s: Settings,
  ) {
    this.#state = new StepState(ctx, s.store);
  }

  async start(): Promise<void> {
    this.#state.require(StateFeature.ETag);
    this.#storeTtl = this.#state.features().includes(StateFeature.Ttl);
  }

  async process(message: RouteMessage): Promise<RouteMessage[]> {
    const key = this.#state.key('seen', keyOf(this.s.expression(message), 'idempotentConsumer expression'));
    const eventId = String(message.event.id ?? '');
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const seen = await this.#state.get<Seen>(key);
      if (seen && this.#holds(seen.value, eventId)) return [];
      const claim: Seen = { pending: eventId, until: Date.now() + this.s.inFlightSeconds * 1000 };
      if (await this.#write(key, claim, seen, this.s.inFlightSeconds)) {
        this.#passed.set(message, key);
        return [message];
      }
      await backoff(attempt, this.ctx.signal);
    }
    throw new Error(`idempotentConsumer: key ${key} kept changing during ${MAX_ATTEMPTS} attempts`);
  }

  async committed(message: RouteMessage): Promise<void> {
    const key = this.#passed.get(message);
    if (key === undefined) return;
    this.#passed.delete(message);
    const ttl = this.s.ttlInSeconds;
    const done: Seen = ttl ? { expires: Date.now() + ttl * 1000 } : {};
    // Without ttlInSeconds the record never expires: -1 lifts the claim's TTL.
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (await this.#write(key, done, await this.#state.get<Seen>(key), ttl ?? -1)) return;
      await backoff(attempt, this.ctx.signal);
    }
    throw new Error(`idempotentConsumer: could not record key ${key}`);
  }

  /** Whether the stored entry filters a message with this event id. */
  #holds(seen: Seen, eventId: string): boolean {
    const now = Date.now();
    if (seen.pending !== undefined) return seen.pending !== eventId && (seen.until ?? 0) > now;
    return seen.expires === undefined || seen.expires > now;
  }

  /** Replaces exactly the version read (or creates the key when none was); false when another writer came first. */
  #write(key: string, value: Seen, read: Versioned<Seen> | undefined, ttl: number | undefined): Promise<boolean> {
    return this.#state.commit([{ key, value, etag: read?.etag, ttlInSeconds: this.#storeTtl ? ttl : undefined }]);
  }
}
