import { AslError, StatesError } from './errors.js';
import { evaluatePath } from './paths.js';
import { payloadTemplate } from './templates.js';
import { withMapItem, type ContextObject } from './context.js';
import type { IntrinsicEnv } from './intrinsics/functions.js';
import type { MapState, StateMachine } from './types.js';

/**
 * Map state helpers (spec: "Map State"). The executor's order: `effectiveInput` (InputPath) →
 * `mapItems` → per item `mapItemInput` → run `mapProcessor(state)` on it → `stateOutput` with the
 * array of iteration outputs. `input` below is always the Map's effective input.
 */

/** The items to iterate: ItemsPath (default `$`) must select an array. */
export function mapItems(state: MapState, input: unknown, ctx?: ContextObject): unknown[] {
  const path = state.ItemsPath ?? '$';
  const items = evaluatePath(path, input, ctx);
  if (!Array.isArray(items)) {
    const got = items === undefined ? 'nothing' : items === null ? 'null' : typeof items === 'object' ? 'an object' : JSON.stringify(items);
    throw new AslError(StatesError.Runtime, `the Map state's ItemsPath "${path}" must select an array, got ${got}`);
  }
  return items;
}

/** One iteration's input: ItemSelector (or legacy Parameters) with `$$.Map.Item` set, else the item itself. */
export function mapItemInput(state: MapState, input: unknown, item: unknown, index: number, ctx: ContextObject, env: IntrinsicEnv = {}): unknown {
  const selector = state.ItemSelector ?? state.Parameters;
  if (selector === undefined) return item;
  return payloadTemplate(selector, input, withMapItem(ctx, index, item), env);
}

/** The machine each iteration runs: ItemProcessor, or the legacy Iterator. */
export function mapProcessor(state: MapState): StateMachine {
  const processor = state.ItemProcessor ?? state.Iterator;
  if (processor === undefined) throw new AslError(StatesError.Runtime, 'a Map state needs an ItemProcessor (or Iterator)');
  return processor;
}

/** How many iterations may run at once; 0 means no limit (spec default). */
export function mapMaxConcurrency(state: MapState, input: unknown, ctx?: ContextObject): number {
  if (state.MaxConcurrencyPath !== undefined) return readCount(state.MaxConcurrencyPath, input, ctx, 'MaxConcurrencyPath', Infinity);
  return state.MaxConcurrency ?? 0;
}

/** How many failed iterations a Map tolerates; an absent field is undefined (no tolerance of that kind). */
export interface FailureTolerance {
  count?: number;
  percentage?: number;
}

export function mapFailureTolerance(state: MapState, input: unknown, ctx?: ContextObject): FailureTolerance {
  const count =
    state.ToleratedFailureCountPath !== undefined
      ? readCount(state.ToleratedFailureCountPath, input, ctx, 'ToleratedFailureCountPath', Infinity)
      : state.ToleratedFailureCount;
  const percentage =
    state.ToleratedFailurePercentagePath !== undefined
      ? readCount(state.ToleratedFailurePercentagePath, input, ctx, 'ToleratedFailurePercentagePath', 100, false)
      : state.ToleratedFailurePercentage;
  return { count, percentage };
}

/**
 * Whether `failed` of `total` iterations break the tolerance. With neither field set, any failure
 * does, and the executor should fail the Map with that iteration's own error; with a tolerance set,
 * the Map fails with `toleranceExceeded`'s States.ExceedToleratedFailureThreshold.
 */
export function exceedsFailureTolerance(tolerance: FailureTolerance, failed: number, total: number): boolean {
  if (failed === 0) return false;
  if (tolerance.count === undefined && tolerance.percentage === undefined) return true;
  const overCount = tolerance.count !== undefined && failed > tolerance.count;
  const overPercentage = tolerance.percentage !== undefined && total > 0 && (failed / total) * 100 > tolerance.percentage;
  return overCount || overPercentage;
}

export function toleranceExceeded(tolerance: FailureTolerance, failed: number, total: number): AslError {
  const limits = [
    tolerance.count !== undefined ? `${tolerance.count} item(s)` : undefined,
    tolerance.percentage !== undefined ? `${tolerance.percentage}%` : undefined,
  ].filter(Boolean);
  return new AslError(StatesError.ExceedToleratedFailureThreshold, `${failed} of ${total} item(s) failed, more than the tolerated ${limits.join(' or ')}`);
}

function readCount(path: string, input: unknown, ctx: ContextObject | undefined, field: string, max: number, integer = true): number {
  const value = evaluatePath(path, input, ctx);
  const ok = typeof value === 'number' && value >= 0 && value <= max && (!integer || Number.isInteger(value));
  if (!ok) {
    const range = max === Infinity ? `a non-negative ${integer ? 'integer' : 'number'}` : `a number from 0 to ${max}`;
    throw new AslError(StatesError.Runtime, `the Map state's ${field} "${path}" must select ${range}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return value;
}
