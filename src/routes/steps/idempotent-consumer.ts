import { StateFeature } from '../../contracts/state.js';
import type { RouteMessage, RouteStep, StepContext, StepDefinition } from '../step.js';
import type { CelExpression } from '../expressions.js';
import { StepConfig, keyOf } from './step-config.js';
import { StepState } from './step-state.js';

interface Settings {
  expression: CelExpression;
  store: string;
  ttlInSeconds?: number;
}

/** What is stored per key seen: when it stops counting (epoch ms), checked for stores without TTL. */
interface Seen {
  expires?: number;
}

export const idempotentConsumerStep: StepDefinition = {
  key: 'idempotentConsumer',
  parse(config, field) {
    const c = new StepConfig(field);
    const m = c.mapping(config, field, ['expression', 'stateStore', 'ttlInSeconds']);
    if (!m) return c.result(() => undefined);
    const expression = c.expression(m.expression, `${field}.expression`);
    const store = c.string(m.stateStore, `${field}.stateStore`);
    const ttlInSeconds = m.ttlInSeconds === undefined ? undefined : c.positiveInteger(m.ttlInSeconds, `${field}.ttlInSeconds`);
    return c.result(() => (ctx: StepContext) => new IdempotentConsumer(ctx, { expression: expression!, store: store!, ttlInSeconds }));
  },
};

/**
 * Filters messages whose key was seen. A key is recorded in `committed`, once every sink accepted the
 * message, so a message the route failed is not mistaken for a duplicate when the source redelivers it.
 * Copies arriving while the first is still in flight all pass (at-least-once, not exactly-once).
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
    this.#storeTtl = this.#state.features().includes(StateFeature.Ttl);
  }

  async process(message: RouteMessage): Promise<RouteMessage[]> {
    const key = this.#state.key('seen', keyOf(this.s.expression(message), 'idempotentConsumer expression'));
    const seen = await this.#state.get<Seen>(key);
    if (seen && (seen.value.expires === undefined || seen.value.expires > Date.now())) return [];
    this.#passed.set(message, key);
    return [message];
  }

  async committed(message: RouteMessage): Promise<void> {
    const key = this.#passed.get(message);
    if (key === undefined) return;
    this.#passed.delete(message);
    const ttl = this.s.ttlInSeconds;
    // The expiry is stored too: stores without TTL keep the key, and the check above ignores it once past.
    await this.#state.put(key, ttl ? { expires: Date.now() + ttl * 1000 } : {}, this.#storeTtl ? ttl : undefined);
  }
}
