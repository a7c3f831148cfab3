import { parseArgs } from 'node:util';
import type { LoadOptions } from './load.js';

export const USAGE = `npm run bench [-- options]

  --quick              every step at a low rate for a few seconds: proves the harness works, nothing more
  --only a,b,...       only these steps ("startup", "contracts", "workflows" or scenario names; default: all)
  --rate n             requests per second, all connections together (default 1000; quick 200)
  --connections n      keep-alive connections (default 16)
  --duration s         measured seconds per run (default 60; quick 2)
  --warmup s           unmeasured seconds before each measured run (default 5; quick 0.5)
  --payload bytes      request payload size (default 1024)
  --against path       daprd (or the wrapper that prints its path on --path): run the side-by-side steps
                       through Mecha and it, alternating, instead of the scenarios; --only then names
                       those steps (startup, state-get-memory, state-save-memory, publish-memory,
                       invoke-http, deliver-redis, deliver-redis-restart)
  --out file           write the run's JSON there (nothing else is written)
  --report-only        measure nothing: write docs/benchmarks.md again from bench/results/latest.json
  --help

Without --quick or --out: bench/results/<date>.json, bench/results/latest.json (merged with the
previous results measured at the same settings) and docs/benchmarks.md. With --quick and no --out the
JSON goes to stdout.
`;

export interface Options {
  help: boolean;
  reportOnly: boolean;
  quick: boolean;
  load: LoadOptions;
  payloadBytes: number;
  /** Selected step names, in the harness's order. */
  steps: string[];
  /** The daprd to compare with, as given. */
  against?: string;
  out?: string;
}

function number(flag: string, text: string | undefined, fallback: number, { integer, min }: { integer: boolean; min: number }): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new Error(`--${flag}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** The command line, checked: each bad value is refused naming its flag. */
export function parseOptions(argv: string[], scenarioSteps: string[], sideBySideSteps: string[] = []): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      rate: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      payload: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      against: { type: 'string' },
    },
  });
  if (values.against !== undefined && values.against.trim() === '') throw new Error('--against: expected the path of daprd, got ""');
  const knownSteps = values.against === undefined ? scenarioSteps : sideBySideSteps;
  const quick = values.quick ?? false;
  const load: LoadOptions = {
    rate: number('rate', values.rate, quick ? 200 : 1000, { integer: false, min: 1 }),
    connections: number('connections', values.connections, 16, { integer: true, min: 1 }),
    durationS: number('duration', values.duration, quick ? 2 : 60, { integer: false, min: 0.5 }),
    warmupS: number('warmup', values.warmup, quick ? 0.5 : 5, { integer: false, min: 0 }),
  };
  const payloadBytes = number('payload', values.payload, 1024, { integer: true, min: 0 });
  let steps = knownSteps;
  if (values.only !== undefined) {
    const wanted = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = wanted.filter((w) => !knownSteps.includes(w));
    if (wanted.length === 0 || unknown.length > 0) throw new Error(`--only: unknown step ${JSON.stringify(unknown.join(',') || values.only)}; known: ${knownSteps.join(', ')}`);
    steps = knownSteps.filter((k) => wanted.includes(k));
  }
  return { help: values.help ?? false, reportOnly: values['report-only'] ?? false, quick, load, payloadBytes, steps, against: values.against, out: values.out };
}
