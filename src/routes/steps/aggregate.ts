import { randomUUID } from 'node:crypto';
import { StateFeature } from '../../contracts/state.js';
import type { RouteMessage, RouteStep, StepContext, StepDefinition } from '../step.js';
import type { CelExpression } from '../expressions.js';
import { StepConfig, keyOf } from './step-config.js';
import { StepState, type StateWrite } from './step-state.js';
import { backoff } from './waiting.js';

/** Messages one group may hold: a group reaching it completes as if by size. */
export const MAX_GROUP_MESSAGES = 1000;
const DEFAULT_MAX_GROUPS = 1000;
/** A completed batch not confirmed delivered within this is delivered again (its replica is presumed gone). */
const DEFAULT_REDELIVER_SECONDS = 30;
/** Completed groups stay as empty tombstones this long, so a Redis ETag never restarts under a stale reader. */
const TOMBSTONE_TTL_SECONDS = 3600;
const MAX_ATTEMPTS = 50;
const STRATEGIES = ['array', 'merge'] as const;

interface Settings {
  correlation: CelExpression;
  size?: number;
  timeoutSeconds?: number;
  store: string;
  strategy: (typeof STRATEGIES)[number];
  maxGroups: number;
  redeliverAfterSeconds: number;
}

/** One open group, under its correlation key; `closed` marks the tombstone a completion leaves. */
interface Group {
  id: string;
  messages: RouteMessage[];
  /** Epoch ms when it completes by timeout; 0 without a timeout. */
  deadline: number;
  closed?: boolean;
}

/** A completed group waiting to be delivered, under its own key until every sink accepted it. */
interface Batch {
  id: string;
  correlation: string;
  messages: RouteMessage[];
  completedBy: 'size' | 'timeout';
}

/** What is open and what awaits delivery: read at start and on every poll, changed only with its ETag. */
interface Index {
  open: Record<string, number>;
  /** Batch id → epoch ms it was claimed for delivery. */
  batches: Record<string, number>;
}

export const aggregateStep: StepDefinition = {
  key: 'aggregate',
  parse(config, field) {
    const c = new StepConfig();
    const m = c.mapping(config, field, ['correlation', 'completionSize', 'completionTimeoutSeconds', 'stateStore', 'strategy', 'maxGroups', 'redeliverAfterSeconds']);
    if (!m) return { problems: c.problems };
    const correlation = c.expression(m.correlation, `${field}.correlation`);
    const size = m.completionSize === undefined ? undefined : c.positiveInteger(m.completionSize, `${field}.completionSize`, MAX_GROUP_MESSAGES);
    const timeoutSeconds = m.completionTimeoutSeconds === undefined ? undefined : c.positiveNumber(m.completionTimeoutSeconds, `${field}.completionTimeoutSeconds`, 86_400);
    if (m.completionSize === undefined && m.completionTimeoutSeconds === undefined) c.problem(field, 'needs completionSize, completionTimeoutSeconds or both');
    const store = c.string(m.stateStore, `${field}.stateStore`);
    const strategy = m.strategy === undefined ? 'array' : c.oneOf(m.strategy, `${field}.strategy`, STRATEGIES);
    const maxGroups = m.maxGroups === undefined ? DEFAULT_MAX_GROUPS : c.positiveInteger(m.maxGroups, `${field}.maxGroups`, 100_000);
    const redeliverAfterSeconds = m.redeliverAfterSeconds === undefined ? DEFAULT_REDELIVER_SECONDS : c.positiveNumber(m.redeliverAfterSeconds, `${field}.redeliverAfterSeconds`, 86_400);
    return c.result(() => (ctx: StepContext) =>
      new Aggregator(ctx, { correlation: correlation!, size, timeoutSeconds, store: store!, strategy: strategy!, maxGroups: maxGroups!, redeliverAfterSeconds: redeliverAfterSeconds! }));
  },
};

/**
 * Groups messages by correlation in a state store. Every change is a compare-and-set (one transaction
 * when the index changes too), so replicas sharing the store never complete a group twice; a completed
 * group moves to a batch key that is removed only once `emit` resolved (at-least-once).
 */
class Aggregator implements RouteStep {
  readonly #state: StepState;
  readonly #index: string;
  readonly #limit: number;
  readonly #delivering = new Set<string>();
  /** Stores without TTL keep tombstones until the correlation comes again. */
  #tombstoneTtl?: number;
  #timer?: NodeJS.Timeout;
  #polling?: Promise<void>;

  constructor(
    private readonly ctx: StepContext,
    private readonly s: Settings,
  ) {
    this.#state = new StepState(ctx, s.store);
    this.#index = this.#state.key('index');
    this.#limit = s.size ?? MAX_GROUP_MESSAGES;
  }

  async start(): Promise<void> {
    this.#state.require(StateFeature.ETag, StateFeature.Transactional);
    if (this.#state.features().includes(StateFeature.Ttl)) this.#tombstoneTtl = TOMBSTONE_TTL_SECONDS;
    await this.#poll();
    this.#schedule();
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#polling;
  }

  async process(message: RouteMessage): Promise<RouteMessage[]> {
    const correlation = keyOf(this.s.correlation(message), 'aggregate correlation');
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const outcome = await this.#add(correlation, message);
      if (outcome === 'conflict') {
        await backoff(attempt, this.ctx.signal);
        continue;
      }
      if (outcome) await this.#deliver(outcome);
      return [];
    }
    throw new Error(`aggregate: group ${correlation} kept changing during ${MAX_ATTEMPTS} attempts`);
  }

  /** Persists the message into its group; returns the batch when that completed the group. */
  async #add(correlation: string, message: RouteMessage): Promise<Batch | undefined | 'conflict'> {
    const key = this.#state.key('group', correlation);
    const found = await this.#state.get<Group>(key);
    const group = found && !found.value.closed ? found.value : undefined;
    const messages = [...(group?.messages ?? []), message];
    const full = messages.length >= this.#limit;
    if (group && !full) return (await this.#state.commit([{ key, value: { ...group, messages }, etag: found!.etag }])) ? undefined : 'conflict';
    const index = await this.#readIndex();
    if (full) {
      const batch: Batch = { id: group?.id ?? randomUUID(), correlation, messages, completedBy: 'size' };
      return (await this.#state.commit(this.#completion(batch, found?.etag, index))) ? batch : 'conflict';
    }
    if (Object.keys(index.value.open).length >= this.s.maxGroups) throw new Error(`aggregate: ${this.s.maxGroups} groups are open already (maxGroups)`);
    const deadline = this.s.timeoutSeconds ? Date.now() + this.s.timeoutSeconds * 1000 : 0;
    const opened: Group = { id: randomUUID(), messages, deadline };
    const next: Index = { ...index.value, open: { ...index.value.open, [correlation]: deadline } };
    // -1: a group reopened over a tombstone must not inherit the tombstone's expiry.
    const ok = await this.#state.commit([
      { key, value: opened, etag: found?.etag, ttlInSeconds: this.#tombstoneTtl && -1 },
      { key: this.#index, value: next, etag: index.etag },
    ]);
    return ok ? undefined : 'conflict';
  }

  /** The writes that close a group: tombstone, batch, index — one transaction. */
  #completion(batch: Batch, groupEtag: string | undefined, index: { value: Index; etag?: string }): StateWrite[] {
    const { [batch.correlation]: _, ...open } = index.value.open;
    const next: Index = { open, batches: { ...index.value.batches, [batch.id]: Date.now() } };
    return [
      { key: this.#state.key('group', batch.correlation), value: { id: batch.id, messages: [], deadline: 0, closed: true }, etag: groupEtag, ttlInSeconds: this.#tombstoneTtl },
      { key: this.#state.key('batch', batch.id), value: batch, etag: undefined },
      { key: this.#index, value: next, etag: index.etag },
    ];
  }

  async #readIndex(): Promise<{ value: Index; etag?: string }> {
    return (await this.#state.get<Index>(this.#index)) ?? { value: { open: {}, batches: {} } };
  }

  /** Sends the batch on, then forgets it; a failure leaves it for a later poll (after the lease). */
  async #deliver(batch: Batch): Promise<void> {
    this.#delivering.add(batch.id);
    try {
      await this.ctx.emit([aggregated(batch, this.s.strategy)]);
      await this.#forget(batch.id);
    } catch (err) {
      this.ctx.deps.logger.warn({ route: this.ctx.route, step: this.ctx.position, batch: batch.id, err: (err as Error).message }, 'aggregate: delivery failed; retrying after the lease');
    } finally {
      this.#delivering.delete(batch.id);
    }
  }

  async #forget(id: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const index = await this.#readIndex();
      const { [id]: _, ...batches } = index.value.batches;
      if (await this.#state.commit([{ key: this.#state.key('batch', id), delete: true }, { key: this.#index, value: { ...index.value, batches }, etag: index.etag }])) return;
      await backoff(attempt, this.ctx.signal);
    }
    throw new Error(`aggregate: could not remove delivered batch ${id}`);
  }

  /** Completes expired groups and re-delivers abandoned batches, each claimed first with the index ETag. */
  #poll(): Promise<void> {
    this.#polling ??= (async () => {
      const now = Date.now();
      const { value } = await this.#readIndex();
      for (const [correlation, deadline] of Object.entries(value.open)) {
        if (deadline > 0 && deadline <= now && !this.ctx.signal.aborted) await this.#expire(correlation);
      }
      for (const [id, claimedAt] of Object.entries(value.batches)) {
        if (claimedAt + this.s.redeliverAfterSeconds * 1000 <= now && !this.#delivering.has(id) && !this.ctx.signal.aborted) await this.#redeliver(id);
      }
    })().finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  async #expire(correlation: string): Promise<void> {
    const key = this.#state.key('group', correlation);
    const found = await this.#state.get<Group>(key);
    const index = await this.#readIndex();
    if (!found || found.value.closed) {
      // Opened in the index but never written (cannot happen with transactions) or closed: drop the entry.
      const { [correlation]: _, ...open } = index.value.open;
      await this.#state.commit([{ key: this.#index, value: { ...index.value, open }, etag: index.etag }]);
      return;
    }
    const batch: Batch = { id: found.value.id, correlation, messages: found.value.messages, completedBy: 'timeout' };
    if (await this.#state.commit(this.#completion(batch, found.etag, index))) await this.#deliver(batch);
  }

  async #redeliver(id: string): Promise<void> {
    const index = await this.#readIndex();
    if (!(id in index.value.batches)) return;
    const claimed: Index = { ...index.value, batches: { ...index.value.batches, [id]: Date.now() } };
    if (!(await this.#state.commit([{ key: this.#index, value: claimed, etag: index.etag }]))) return;
    const batch = await this.#state.get<Batch>(this.#state.key('batch', id));
    if (batch) await this.#deliver(batch.value);
    else await this.#forget(id);
  }

  /** Polls at a quarter of the shortest of timeout and redelivery (between 100 ms and 5 s). */
  #schedule(): void {
    const shortest = Math.min(this.s.timeoutSeconds ?? Infinity, this.s.redeliverAfterSeconds) * 1000;
    const every = Math.min(5000, Math.max(100, shortest / 4));
    this.#timer = setTimeout(() => {
      this.#poll()
        .catch((err: Error) => this.ctx.deps.logger.warn({ route: this.ctx.route, step: this.ctx.position, err: err.message }, 'aggregate: poll failed'))
        .finally(() => this.#timer && !this.ctx.signal.aborted && this.#schedule());
    }, every);
  }
}

/**
 * The completed group as one message: the first event's attributes with the group's id (stable across
 * re-deliveries, so consumers may de-duplicate), data as the array of the datas in arrival order (`array`)
 * or the shallow merge of the object datas, later ones winning (`merge`), and the first message's headers.
 */
function aggregated(batch: Batch, strategy: Settings['strategy']): RouteMessage {
  const first = batch.messages[0]!;
  const datas = batch.messages.map((m) => m.event.data);
  const data = strategy === 'merge' ? Object.assign({}, ...datas.filter((d) => d !== null && typeof d === 'object' && !Array.isArray(d))) : datas;
  const { data: _, data_base64: __, ...attributes } = first.event;
  return {
    event: { ...attributes, id: batch.id, datacontenttype: 'application/json', data },
    headers: {
      ...first.headers,
      'mecha-aggregate-correlation': batch.correlation,
      'mecha-aggregate-size': String(batch.messages.length),
      'mecha-aggregate-completed-by': batch.completedBy,
    },
  };
}
