const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^([+-]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/**
 * Parses a duration the way Dapr metadata accepts it: a Go duration string (`"1m30s"`, `"500ms"`) or a
 * plain number in `bareUnit` (milliseconds unless told otherwise). Returns milliseconds, or undefined
 * when the text is not a duration.
 */
export function parseDuration(text: string, bareUnit: 'ms' | 's' = 'ms'): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) return Number(s) * (bareUnit === 's' ? 1000 : 1);
  const m = GO_DURATION.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const [, n, unit] of m[2].matchAll(PART)) total += Number(n) * UNIT_MS[unit];
  return m[1] === '-' ? -total : total;
}
