import { AslError, StatesError } from './errors.js';
import { evaluatePath } from './paths.js';
import { parseTimestamp } from './timestamps.js';
import type { ContextObject } from './context.js';
import type { WaitState } from './types.js';

/**
 * When a Wait state ends (spec: "Wait State"): `enteredAt` plus Seconds/SecondsPath, or the absolute
 * Timestamp/TimestampPath. A time already past means no wait; the executor compares with its clock.
 * `input` is the state's effective input (after InputPath), which the `…Path` fields read.
 */
export function waitUntil(state: WaitState, input: unknown, enteredAt: Date, ctx?: ContextObject): Date {
  if (state.Seconds !== undefined) return afterSeconds(enteredAt, state.Seconds, 'Seconds');
  if (state.Timestamp !== undefined) return atTimestamp(state.Timestamp, 'Timestamp');
  if (state.SecondsPath !== undefined) return afterSeconds(enteredAt, read(state.SecondsPath, input, ctx, 'SecondsPath'), `the value at SecondsPath "${state.SecondsPath}"`);
  if (state.TimestampPath !== undefined) return atTimestamp(read(state.TimestampPath, input, ctx, 'TimestampPath'), `the value at TimestampPath "${state.TimestampPath}"`);
  throw new AslError(StatesError.Runtime, 'a Wait state needs one of Seconds, Timestamp, SecondsPath or TimestampPath');
}

function read(path: string, input: unknown, ctx: ContextObject | undefined, field: string): unknown {
  const value = evaluatePath(path, input, ctx);
  if (value === undefined) throw new AslError(StatesError.Runtime, `the Wait state's ${field} "${path}" matched nothing in the input`);
  return value;
}

function afterSeconds(enteredAt: Date, seconds: unknown, what: string): Date {
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
    throw new AslError(StatesError.Runtime, `${what} must be a non-negative integer number of seconds, got ${JSON.stringify(seconds)}`);
  }
  return new Date(enteredAt.getTime() + seconds * 1000);
}

function atTimestamp(value: unknown, what: string): Date {
  const ms = parseTimestamp(value);
  if (ms === undefined) {
    throw new AslError(StatesError.Runtime, `${what} must be an RFC 3339 timestamp such as "2016-03-14T01:59:00Z", got ${JSON.stringify(value)}`);
  }
  return new Date(ms);
}
