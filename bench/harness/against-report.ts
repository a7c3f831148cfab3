import type { Comparison, SideBySideRun } from './against.js';

/** The "Side by side with daprd" section of docs/benchmarks.md, from a `--against` run. */

const FIGURES: Record<string, string> = {
  readyMs: 'spawn → first healthz 204 (ms)',
  idleRssMb: 'idle RSS (MB)',
  p50: 'p50 (ms)',
  p90: 'p90 (ms)',
  p99: 'p99 (ms)',
  mCpu: 'CPU (mCPU)',
  rssSteadyMb: 'steady RSS (MB)',
  rssPeakMb: 'peak RSS (MB)',
  calleeRssSteadyMb: 'callee steady RSS (MB)',
  lost: 'messages not delivered',
  errors: 'failed requests',
  publishErrors: 'failed publishes',
};

/** Mecha's figure over daprd's, at most: memory and startup no higher, CPU lower, save p99 half, delivery no slower. */
function goal(step: string, figure: string): number | undefined {
  if (['readyMs', 'idleRssMb', 'rssSteadyMb'].includes(figure)) return 1;
  if (figure === 'mCpu') return 0.8;
  if (step === 'state-save-memory' && figure === 'p99') return 0.5;
  if (step === 'deliver-redis' && (figure === 'p90' || figure === 'p99')) return 1;
  if (step === 'deliver-redis-restart' && figure === 'p99') return 1;
  return undefined;
}

const COUNTS = new Set(['lost', 'errors', 'publishErrors']);
const value = (n: number) => (Number.isNaN(n) ? '–' : Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) >= 100 ? 0 : 2));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** The middle value, or the mean of the two middle ones (two rounds are the usual case). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function rows(c: Comparison): string[] {
  const names = Object.keys(FIGURES).filter((f) => c.mecha[f] && c.daprd[f]);
  return names.flatMap((f) => {
    const [m, d] = [c.mecha[f]!, c.daprd[f]!];
    // Counts are summed over the rounds and shown only when some occurred; the rest are medians.
    if (COUNTS.has(f)) return sum(m) + sum(d) === 0 ? [] : [`| ${c.title} | ${FIGURES[f]} (all rounds) | ${sum(d)} | ${sum(m)} | | |`];
    const [mm, dd] = [median(m), median(d)];
    const ratio = dd > 0 ? mm / dd : NaN;
    const g = goal(c.name, f);
    const verdict = g === undefined ? '' : `≤ ×${g.toFixed(1)}: ${ratio <= g ? 'yes' : 'no'}`;
    return [`| ${c.title} | ${FIGURES[f]} | ${value(dd)} | ${value(mm)} | ${Number.isNaN(ratio) ? '–' : `×${ratio.toFixed(2)}`} | ${verdict} |`];
  });
}

export function sideBySideSection(run: SideBySideRun | undefined): string {
  if (!run) return '_Not measured: run `npm run bench -- --against /path/to/daprd`._';
  const l = run.load;
  const rounds = (c: Comparison) => `\`${c.name}\` ${Object.values(c.mecha)[0]?.length ?? 0}`;
  return [
    `daprd ${run.daprd.version} and Mecha on this machine in one run (${run.steps[0]?.date ?? run.date} to ${run.steps.at(-1)?.date ?? run.date}), the same`,
    `resources, flags and load: ${l.rate} requests/s over ${l.connections} connections, ${run.payloadBytes}-byte payloads, ${l.warmupS} s warm-up`,
    `then ${l.durationS} s measured; publish→deliver at 200 messages/s. Both sidecars run each step in turn, Mecha first in`,
    'even rounds and daprd first in odd ones; every figure is the median over the rounds, lower is better. daprd is',
    'its binary spawned directly (not through a wrapper), on loopback, metrics on, without placement or scheduler,',
    'finding other sidecars by SQLite name resolution in the private HOME both share.',
    `Rounds per sidecar: ${run.steps.map(rounds).join(', ')}.`,
    '',
    run.quick ? '**Quick mode: these figures prove only that the harness runs; they are not measurements.**\n' : '',
    '| Step | Figure | daprd | Mecha | Mecha / daprd | Goal |',
    '|---|---|---|---|---|---|',
    ...run.steps.flatMap(rows),
    ...(run.failures.length > 0 ? ['', 'Failed:', '', ...run.failures.map((f) => `- \`${f.name}\`: ${f.error}`)] : []),
  ].join('\n');
}
