/**
 * ASL timestamps (spec: "Timestamps"): the RFC 3339 profile of ISO 8601 with an uppercase "T" and,
 * without a numeric offset, an uppercase "Z". Date.parse alone is too lenient (it accepts dates only,
 * lowercase and 31 February), so the shape and the calendar are checked here.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch, or undefined when the value is not an ASL timestamp. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = RFC3339.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function isTimestamp(value: unknown): boolean {
  return parseTimestamp(value) !== undefined;
}
