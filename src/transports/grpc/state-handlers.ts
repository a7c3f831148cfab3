import type { StateItem } from '../../contracts/state.js';
import type { StateApi } from '../../core/state-api.js';
import type { SaveStateItem, StateOptions } from '../../core/state-requests.js';
import { encodeJsonValue, rawValue } from '../../core/state-values.js';
import { mapOf, unary, type CallGuard, type UnaryHandler } from './handler.js';

/** proto-loader's view of dapr.proto.common.v1.StateItem (keepCase, enums as names, absent messages null). */
interface ProtoStateItem {
  key: string;
  value: Buffer;
  etag: { value: string } | null;
  metadata: Record<string, string>;
  options: { concurrency: string; consistency: string } | null;
}

const CONCURRENCY: Record<string, string | undefined> = { CONCURRENCY_FIRST_WRITE: 'first-write', CONCURRENCY_LAST_WRITE: 'last-write' };
const CONSISTENCY: Record<string, string | undefined> = { CONSISTENCY_EVENTUAL: 'eventual', CONSISTENCY_STRONG: 'strong' };

/** The state RPCs of dapr.proto.runtime.v1.Dapr: decode, call the same core as HTTP, encode. */
export function stateHandlers(state: StateApi, guard: CallGuard): Record<string, UnaryHandler> {
  return {
    GetState: unary(guard, async (r: { store_name: string; key: string; consistency: string; metadata: Record<string, string> }) => {
      const item = await state.get({ storeName: r.store_name, key: r.key, consistency: CONSISTENCY[r.consistency], metadata: mapOf(r.metadata) });
      return item ? { data: item.data, etag: item.etag ?? '', metadata: item.metadata ?? {} } : {};
    }),

    GetBulkState: unary(guard, async (r: { store_name: string; keys: string[]; parallelism: number; metadata: Record<string, string> }) => {
      const items = await state.bulkGet({ storeName: r.store_name, keys: r.keys, parallelism: r.parallelism, metadata: mapOf(r.metadata) });
      return { items: items.map((i) => ({ key: i.key, error: i.error ?? '', ...bulkItem(i.item) })) };
    }),

    SaveState: unary(guard, async (r: { store_name: string; states: ProtoStateItem[] }) => {
      await state.save({ storeName: r.store_name, items: r.states.map(saveItem), metadata: {} });
      return {};
    }),

    DeleteState: unary(guard, async (r: { store_name: string; key: string; etag: { value: string } | null; options: ProtoStateItem['options']; metadata: Record<string, string> }) => {
      await state.delete({ storeName: r.store_name, key: r.key, etag: r.etag?.value, options: options(r.options), metadata: mapOf(r.metadata) });
      return {};
    }),

    DeleteBulkState: unary(guard, async (r: { store_name: string; states: ProtoStateItem[] }) => {
      await state.deleteBulk({ storeName: r.store_name, items: r.states.map(saveItem) });
      return {};
    }),

    ExecuteStateTransaction: unary(guard, async (r: { storeName: string; operations: Array<{ operationType: string; request: ProtoStateItem | null }>; metadata: Record<string, string> }) => {
      await state.transaction({
        storeName: r.storeName,
        operations: r.operations.map((op) => ({ operation: op.operationType, request: saveItem(op.request ?? emptyItem()) })),
        metadata: mapOf(r.metadata),
      });
      return {};
    }),

    QueryStateAlpha1: unary(guard, async (r: { store_name: string; query: string; metadata: Record<string, string> }) => {
      const page = await state.query({ storeName: r.store_name, query: r.query ?? '', metadata: mapOf(r.metadata) });
      return { results: page.results.map((x) => ({ key: x.key, data: x.data, etag: x.etag ?? '', error: '' })), token: page.token ?? '', metadata: {} };
    }),
  };
}

/** gRPC values are raw bytes, unless their metadata says JSON: then they are stored as JSON, as daprd does. */
function saveItem(i: ProtoStateItem): SaveStateItem {
  const metadata = mapOf(i.metadata);
  let value = rawValue(i.value ?? Buffer.alloc(0));
  if (metadata.contentType === 'application/json') {
    try {
      value = encodeJsonValue(JSON.parse(Buffer.from(i.value).toString('utf8')));
    } catch {
      // Not JSON after all: keep the bytes as given.
    }
  }
  return { key: i.key, value, etag: i.etag ? i.etag.value : undefined, options: options(i.options), metadata };
}

function options(o: ProtoStateItem['options']): StateOptions | undefined {
  return o ? { concurrency: CONCURRENCY[o.concurrency], consistency: CONSISTENCY[o.consistency] } : undefined;
}

function bulkItem(item: StateItem | undefined) {
  return item ? { data: item.data, etag: item.etag ?? '', metadata: item.metadata ?? {} } : {};
}

function emptyItem(): ProtoStateItem {
  return { key: '', value: Buffer.alloc(0), etag: null, metadata: {}, options: null };
}
