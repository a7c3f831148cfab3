import type { Concurrency, Consistency, StateItem, StateValue } from '../contracts/state.js';

/** Transport-neutral requests of the state API: what HTTP (JSON) and gRPC (protobuf) both decode into. */

export interface StateOptions {
  concurrency?: string;
  consistency?: string;
}

export interface GetStateRequest {
  storeName: string;
  key: string;
  consistency?: string;
  metadata: Record<string, string>;
}

export interface SaveStateItem {
  key: string;
  value: StateValue;
  etag?: string;
  options?: StateOptions;
  metadata?: Record<string, string>;
}

export interface SaveStateRequest {
  storeName: string;
  items: SaveStateItem[];
  /** Request-level metadata (HTTP query `metadata.*`), merged into every item; it wins on conflicts. */
  metadata: Record<string, string>;
}

export interface DeleteStateRequest {
  storeName: string;
  key: string;
  etag?: string;
  options?: StateOptions;
  metadata: Record<string, string>;
}

export interface BulkGetStateRequest {
  storeName: string;
  keys: string[];
  parallelism?: number;
  metadata: Record<string, string>;
}

export interface BulkStateItem {
  key: string;
  item?: StateItem;
  error?: string;
}

export interface TransactionRequestOperation {
  operation: string;
  request: {
    key: string;
    value?: StateValue;
    etag?: string;
    options?: StateOptions;
    metadata?: Record<string, string>;
  };
}

export interface StateTransactionRequest {
  storeName: string;
  operations: TransactionRequestOperation[];
  metadata: Record<string, string>;
}

export interface ParsedOptions {
  concurrency?: Concurrency;
  consistency?: Consistency;
}
