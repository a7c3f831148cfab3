import type { MechaKindDeps } from '../runtime/mecha-kinds/mecha-kind.js';
import { copyMessage } from './message.js';
import { RouteCounters } from './route-counters.js';
import type { RouteDefinition } from './route-spec.js';
import type { Sink } from './sinks.js';
import type { RouteMessage, RouteStep } from './step.js';

/** What became of a message from the source, once it may be acknowledged. */
export type RouteOutcome = 'delivered' | 'filtered' | 'deadLettered';

/** A message that failed and could not be dead-lettered: the source must not acknowledge it. */
export class RouteFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RouteFailure';
  }
}

/**
 * Runs messages through a route's steps to its sinks. `handle` resolves once every resulting message was
 * accepted by every sink of `spec.to`, ended by a step, or accepted by the dead-letter sink; it rejects
 * otherwise, and the source then leaves the message unacknowledged (redelivery: at least once).
 */
export class RouteRunner {
  readonly counters: RouteCounters;
  #steps: Array<{ position: string; step: RouteStep }> = [];
  readonly #sinks: Sink[];
  readonly #deadLetter?: Sink;
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly definition: RouteDefinition,
    private readonly deps: MechaKindDeps,
  ) {
    this.counters = new RouteCounters(definition.name, deps.metrics);
    this.#sinks = definition.sinks.map((create) => create(deps));
    this.#deadLetter = definition.deadLetter?.(deps);
  }

  /** Builds the steps and lets them recover persisted work; messages may flow once it resolves. */
  async start(): Promise<void> {
    this.#steps = this.definition.steps.map((s, i) => ({
      position: s.position,
      step: s.create({
        route: this.definition.name,
        position: s.position,
        deps: this.deps,
        signal: this.#abort.signal,
        emit: (messages) => this.#track(this.#runAll(messages, i + 1)).then(() => undefined),
      }),
    }));
    for (const { step } of this.#steps) await step.start?.();
  }

  handle(message: RouteMessage): Promise<RouteOutcome> {
    if (this.#abort.signal.aborted) return Promise.reject(new RouteFailure(`route ${this.definition.name} is stopping`));
    this.counters.add('in');
    return this.#track(this.#runAll([message], 0));
  }

  /** Waits for messages in flight (the source stopped first), then closes the steps. */
  async stop(): Promise<void> {
    this.#abort.abort();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    for (const { step } of this.#steps) await step.close?.().catch((err: Error) => this.deps.logger.warn({ route: this.definition.name, err: err.message }, 'closing a route step failed'));
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const done = () => void this.#inFlight.delete(work);
    work.then(done, done);
    return work;
  }

  async #runAll(messages: RouteMessage[], from: number): Promise<RouteOutcome> {
    let current = messages;
    let deadLettered = false;
    const toCommit: Array<{ step: RouteStep; position: string; message: RouteMessage }> = [];
    for (let i = from; i < this.#steps.length; i++) {
      const { position, step } = this.#steps[i];
      const next: RouteMessage[] = [];
      for (const m of current) {
        try {
          const out = await step.process(m);
          if (step.committed) toCommit.push({ step, position, message: m });
          if (out.length === 0) this.counters.add('filtered');
          next.push(...out);
        } catch (err) {
          await this.#fail(m, position, err);
          deadLettered = true;
        }
      }
      current = next;
    }
    for (const m of current) {
      try {
        await Promise.all(this.#sinks.map((s) => s.send(m).catch((err: Error) => Promise.reject(new Error(`${s.name}: ${err.message}`, { cause: err })))));
        this.counters.add('out');
      } catch (err) {
        await this.#fail(m, 'spec.to', err);
        deadLettered = true;
      }
    }
    if (!deadLettered) await this.#commit(toCommit);
    return deadLettered ? 'deadLettered' : current.length === 0 ? 'filtered' : 'delivered';
  }

  /** Every sink accepted what the steps' inputs led to: tell the steps that wait for it (idempotent consumer). */
  async #commit(done: Array<{ step: RouteStep; position: string; message: RouteMessage }>): Promise<void> {
    for (const { step, position, message } of done) {
      await step.committed!(message).catch((err: Error) =>
        this.deps.logger.warn({ route: this.definition.name, step: position, id: message.event.id, err: err.message }, 'a route step could not record a delivered message'),
      );
    }
  }

  /** A step or sink failed after its retries: the message goes to the dead-letter sink, or the failure to the source. */
  async #fail(message: RouteMessage, where: string, err: unknown): Promise<void> {
    this.counters.add('failed');
    const reason = `${where}: ${err instanceof Error ? err.message : String(err)}`;
    const log = { route: this.definition.name, id: message.event.id, reason };
    if (!this.#deadLetter) {
      this.deps.logger.warn(log, 'route message failed; its source will redeliver it');
      throw new RouteFailure(reason, { cause: err });
    }
    const dead = copyMessage(message);
    dead.event.deadletterroute = this.definition.name;
    dead.event.deadletterreason = reason.slice(0, 1000);
    try {
      await this.#deadLetter.send(dead);
    } catch (dlErr) {
      this.deps.logger.error({ ...log, err: (dlErr as Error).message }, 'route message failed and the dead-letter sink refused it; its source will redeliver it');
      throw new RouteFailure(`${reason}; dead letter: ${(dlErr as Error).message}`, { cause: err });
    }
    this.counters.add('deadLettered');
    this.deps.logger.warn(log, 'route message sent to the dead-letter topic');
  }
}
