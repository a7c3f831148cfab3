import { compileCel, type CelExpression } from '../expressions.js';
import { parseSink, type Sink } from '../sinks.js';
import type { StepContext, StepDefinition } from '../step.js';
import type { MechaKindDeps } from '../../runtime/mecha-kinds/mecha-kind.js';

type Problem = { field: string; message: string };
type SinkFactory = (deps: MechaKindDeps) => Sink;

/** A list of sinks under `field`: their problems, and their factories. */
function parseSinks(config: unknown, field: string, problems: Problem[]): SinkFactory[] {
  if (!Array.isArray(config) || config.length === 0) {
    problems.push({ field, message: 'must be a non-empty list of sinks' });
    return [];
  }
  return config.flatMap((c, i) => {
    const sink = parseSink(c, `${field}[${i}]`);
    problems.push(...sink.problems);
    return sink.create ? [sink.create] : [];
  });
}

/**
 * Content-based router: `choice:` lists `{ when: "<CEL>", to: [sinks] }`; the first branch whose expression
 * is `true` sends the message to its sinks, else `otherwise:` (beside `choice:`) does. As in Camel, the
 * message then continues with the next step: a choice adds destinations, a `filter` removes messages.
 */
export const choiceStep: StepDefinition = {
  key: 'choice',
  siblings: ['otherwise'],
  parse(config, field) {
    const { choice, otherwise } = config as { choice: unknown; otherwise?: unknown };
    const base = field.replace(/\.choice$/, '');
    const problems: Problem[] = [];
    if (!Array.isArray(choice) || choice.length === 0) return { problems: [{ field, message: 'must be a non-empty list of { when, to } branches' }] };
    const branches = choice.map((b: unknown, i) => {
      const at = `${field}[${i}]`;
      const branch = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
      for (const k of Object.keys(branch)) if (k !== 'when' && k !== 'to') problems.push({ field: at, message: `has an unknown field "${k}"` });
      let test: CelExpression | undefined;
      if (typeof branch.when !== 'string' || branch.when.trim() === '') problems.push({ field: `${at}.when`, message: 'is required: a CEL expression' });
      else {
        try {
          test = compileCel(branch.when);
        } catch (err) {
          problems.push({ field: `${at}.when`, message: (err as Error).message });
        }
      }
      return { test, sinks: parseSinks(branch.to, `${at}.to`, problems) };
    });
    const fallback = otherwise === undefined ? [] : parseSinks(otherwise, `${base}.otherwise`, problems);
    if (problems.length > 0) return { problems };
    return {
      problems,
      create: (ctx: StepContext) => {
        const built = branches.map((b) => ({ test: b.test!, sinks: b.sinks.map((s) => s(ctx.deps)) }));
        const otherwiseSinks = fallback.map((s) => s(ctx.deps));
        return {
          async process(m) {
            const sinks = built.find((b) => b.test(m) === true)?.sinks ?? otherwiseSinks;
            await Promise.all(sinks.map((s) => s.send(m)));
            return [m];
          },
        };
      },
    };
  },
};
