import { parseSink } from '../sinks.js';
import type { StepDefinition } from '../step.js';

/**
 * `wireTap: <sink>`: a copy of the message goes to the sink while the message continues at once. Best
 * effort: the tap's own Resiliency policy retries it, but a tap that still fails is logged, not
 * dead-lettered, and does not hold back the source's acknowledgement. Stopping the route waits for taps in flight.
 */
export const wireTapStep: StepDefinition = {
  key: 'wireTap',
  parse(config, field) {
    const { problems, create: createSink } = parseSink(config, field);
    if (!createSink) return { problems };
    return {
      problems,
      create: (ctx) => {
        const sink = createSink(ctx.deps);
        const inFlight = new Set<Promise<void>>();
        return {
          async process(m) {
            const sent: Promise<void> = sink.send(m).then(
              () => void inFlight.delete(sent),
              (err: Error) => {
                inFlight.delete(sent);
                ctx.deps.logger.warn({ route: ctx.route, step: ctx.position, sink: sink.name, err: err.message }, 'wire tap failed; the message continued without it');
              },
            );
            inFlight.add(sent);
            return [m];
          },
          async close() {
            await Promise.all(inFlight);
          },
        };
      },
    };
  },
};
