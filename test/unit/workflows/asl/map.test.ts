import { describe, expect, it } from 'vitest';
import {
  AslError,
  effectiveInput,
  exceedsFailureTolerance,
  mapFailureTolerance,
  mapItemInput,
  mapItems,
  mapMaxConcurrency,
  mapProcessor,
  stateOutput,
  toleranceExceeded,
  type MapState,
} from '../../../../src/workflows/asl/index.js';
import { context } from './fixtures.js';

const processor = { StartAt: 'Validate', States: { Validate: { Type: 'Task' as const, Resource: 'validate', End: true } } };

describe('Map', () => {
  // Spec "Map State": the "ship-val" example with ItemsPath "$.detail.shipped" and an ItemSelector
  // combining the item ($$.Map.Item.Value) with data from the Map's input.
  it('ItemsPath, ItemSelector with $$.Map.Item, and the result placed by ResultPath', () => {
    const state: MapState = {
      Type: 'Map',
      InputPath: '$.detail',
      ItemsPath: '$.shipped',
      MaxConcurrency: 0,
      ItemSelector: { 'parcel.$': '$$.Map.Item.Value', 'courier.$': '$.delivery-partner', 'index.$': '$$.Map.Item.Index' },
      ItemProcessor: processor,
      ResultPath: '$.detail.shipped',
      End: true,
    };
    const raw = { 'ship-date': '2016-03-14T01:59:00Z', detail: { 'delivery-partner': 'UQS', shipped: [{ prod: 'R31', 'dest-code': 9511, quantity: 1344 }, { prod: 'S39', 'dest-code': 9511, quantity: 40 }] } };
    const input = effectiveInput(state, raw, context());
    const items = mapItems(state, input, context());
    expect(items).toHaveLength(2);
    expect(mapItemInput(state, input, items[1], 1, context())).toEqual({ parcel: { prod: 'S39', 'dest-code': 9511, quantity: 40 }, courier: 'UQS', index: 1 });
    expect(mapProcessor(state)).toBe(processor);
    const out = stateOutput(state, raw, ['ok-0', 'ok-1'], context()) as { detail: { shipped: unknown } };
    expect(out.detail.shipped).toEqual(['ok-0', 'ok-1']);
  });

  it('without a selector the item is the input; legacy Parameters and Iterator still work', () => {
    const legacy: MapState = { Type: 'Map', Iterator: processor, Parameters: { 'v.$': '$$.Map.Item.Value' }, End: true };
    expect(mapItems(legacy, [1, 2], context())).toEqual([1, 2]);
    expect(mapItemInput(legacy, [1, 2], 2, 1, context())).toEqual({ v: 2 });
    expect(mapItemInput({ ...legacy, Parameters: undefined }, [1, 2], 2, 1, context())).toBe(2);
    expect(mapProcessor(legacy)).toBe(processor);
    // Parameters on a Map selects per item, so it is not applied to the Map's own input.
    expect(effectiveInput(legacy, [1, 2], context())).toEqual([1, 2]);
  });

  it('ItemsPath selecting a non-array is States.Runtime', () => {
    const state: MapState = { Type: 'Map', ItemsPath: '$.items', ItemProcessor: processor, End: true };
    expect(() => mapItems(state, { items: { a: 1 } })).toThrow(/States.Runtime.*must select an array, got an object/);
    expect(() => mapItems(state, {})).toThrow(/got nothing/);
  });

  it('MaxConcurrency and MaxConcurrencyPath', () => {
    const state: MapState = { Type: 'Map', ItemProcessor: processor, End: true };
    expect(mapMaxConcurrency(state, {})).toBe(0);
    expect(mapMaxConcurrency({ ...state, MaxConcurrency: 3 }, {})).toBe(3);
    expect(mapMaxConcurrency({ ...state, MaxConcurrencyPath: '$.c' }, { c: 5 })).toBe(5);
    expect(() => mapMaxConcurrency({ ...state, MaxConcurrencyPath: '$.c' }, { c: -1 })).toThrow(/MaxConcurrencyPath/);
  });

  it('tolerated failures by count and percentage, fixed or read by path', () => {
    const state: MapState = { Type: 'Map', ItemProcessor: processor, End: true };
    expect(mapFailureTolerance(state, {})).toEqual({ count: undefined, percentage: undefined });
    expect(exceedsFailureTolerance({}, 1, 10)).toBe(true);
    expect(exceedsFailureTolerance({}, 0, 10)).toBe(false);
    const byCount = mapFailureTolerance({ ...state, ToleratedFailureCountPath: '$.n' }, { n: 2 });
    expect(byCount).toEqual({ count: 2, percentage: undefined });
    expect(exceedsFailureTolerance(byCount, 2, 10)).toBe(false);
    expect(exceedsFailureTolerance(byCount, 3, 10)).toBe(true);
    const byPercent = mapFailureTolerance({ ...state, ToleratedFailurePercentage: 20 }, {});
    expect(exceedsFailureTolerance(byPercent, 2, 10)).toBe(false);
    expect(exceedsFailureTolerance(byPercent, 3, 10)).toBe(true);
    const e = toleranceExceeded(byPercent, 3, 10);
    expect(e).toBeInstanceOf(AslError);
    expect(e.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(e.cause).toBe('3 of 10 item(s) failed, more than the tolerated 20%');
    expect(() => mapFailureTolerance({ ...state, ToleratedFailurePercentagePath: '$.p' }, { p: 101 })).toThrow(/from 0 to 100/);
  });
});
