import { setMaxListeners } from 'node:events';
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
    // Every message a throttle or delay holds listens for the route to stop: bounded by the steps' own limits.
    setMaxListeners(0, this.#abort.signal);
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
    const outcomes: RouteOutcome[] = [];
    for (const m of messages) outcomes.push(await this.#run(m, from));
    return combine(outcomes);
  }

  /**
   * One message from step `i` on, depth first: what a step gives goes through the rest of the route before
   * the step's next output. Once all of it was accepted, the step hears so (`committed`), innermost first.
   */
  async #run(message: RouteMessage, i: number): Promise<RouteOutcome> {
    if (i === this.#steps.length) return this.#deliver(message);
    const { position, step } = this.#steps[i];
    let out: RouteMessage[];
    try {
      out = await step.process(message);
    } catch (err) {
      await this.#fail(message, position, err);
      return 'deadLettered';
    }
    if (out.length === 0) this.counters.add('filtered');
    const outcome = await this.#runAll(out, i + 1);
    if (outcome === 'deadLettered' || !step.committed) return outcome;
    try {
      await step.committed(message);
    } catch (err) {
      await this.#fail(message, position, err);
      return 'deadLettered';
    }
    return outcome;
  }

  async #deliver(message: RouteMessage): Promise<RouteOutcome> {
    try {
      await Promise.all(this.#sinks.map((s) => s.send(message).catch((err: Error) => Promise.reject(new Error(`${s.name}: ${err.message}`, { cause: err })))));
    } catch (err) {
      await this.#fail(message, 'spec.to', err);
      return 'deadLettered';
    }
    this.counters.add('out');
    return 'delivered';
  }

  /** A step or sink failed after its retries: the message goes to the dead-letter sink, or the failure to the source. */
  async #fail(message: RouteMessage, where: string, err: unknown): Promise<void> {
    this.counters.add('failed');
    const reason = `${where}: ${err instanceof Error ? err.message : String(err)}`;
    const log = { route: this.definition.name, id: message.event.id, reason };
    // A step interrupted by the route stopping (a delay, a throttle) did not fail the message: the source keeps it.
    if (!this.#deadLetter || this.#abort.signal.aborted) {
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

/** Several messages' outcomes as one: any dead letter, else any delivery, else all were ended by steps. */
function combine(outcomes: RouteOutcome[]): RouteOutcome {
  if (outcomes.includes('deadLettered')) return 'deadLettered';
  return outcomes.includes('delivered') ? 'delivered' : 'filtered';
}
