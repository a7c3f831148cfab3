/** The app's verdict on one event, as daprd's TopicEventResponse names them. */
export type EventStatus = 'SUCCESS' | 'RETRY' | 'DROP';

/**
 * Interprets the app's answer to one event: 2xx with an empty, non-JSON or status-less body, or
 * `SUCCESS`, acknowledges; `RETRY` or any unknown status retries; `DROP` drops; 404 drops; every other
 * HTTP status retries.
 */
export function eventAnswer(httpStatus: number, body: Buffer): EventStatus {
  if (httpStatus === 404) return 'DROP';
  if (httpStatus < 200 || httpStatus > 299) return 'RETRY';
  const status = statusField(body);
  if (status === undefined || status === '' || status === 'SUCCESS') return 'SUCCESS';
  return status === 'DROP' ? 'DROP' : 'RETRY';
}

/**
 * Interprets the app's answer to a bulk delivery: per entry from `statuses`, entries it does not list
 * (or lists without a known status) retried; an unparsable 2xx body retries all; 404 drops all.
 */
export function bulkAnswer(httpStatus: number, body: Buffer, entryIds: readonly string[]): Map<string, EventStatus> {
  const all = (s: EventStatus) => new Map(entryIds.map((id) => [id, s]));
  if (httpStatus === 404) return all('DROP');
  if (httpStatus < 200 || httpStatus > 299) return all('RETRY');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return all('RETRY');
  }
  const out = all('RETRY');
  const statuses = isObject(parsed) ? parsed.statuses : undefined;
  if (!Array.isArray(statuses)) return out;
  for (const s of statuses) {
    if (!isObject(s) || typeof s.entryId !== 'string' || !out.has(s.entryId)) continue;
    const status = typeof s.status === 'string' ? s.status.toUpperCase() : '';
    if (status === 'SUCCESS' || status === 'DROP') out.set(s.entryId, status);
  }
  return out;
}

function statusField(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return isObject(parsed) && typeof parsed.status === 'string' ? parsed.status.toUpperCase() : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
