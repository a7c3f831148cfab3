import type { InvokeRequest, InvokeResponse } from './invocation/types.js';

/** One way a payload breaks its schema: where (a JSON pointer into the checked value) and what. */
export interface Violation {
  pointer: string;
  message: string;
}

/** A message on its way to a broker, as the publishing API received it. */
export interface PublishedPayload {
  event: Buffer;
  contentType: string;
  /** `rawPayload`: the bytes are the data itself, never a CloudEvent. */
  raw: boolean;
}

/**
 * What the running Contracts check as requests pass through the cores. Each method is a no-op for what no
 * contract covers; the rejecting ones throw ERR_CONTRACT_VIOLATION (in `reject` mode only).
 */
export interface ContractChecks {
  /** Before a publish; `bulk`: the payloads are the entries of a bulk publish (pointers start `/entries/<i>`). */
  publish(pubsubName: string, topic: string, payloads: readonly PublishedPayload[], bulk: boolean): void;
  /** Before a delivery to the app: why the event breaks the subscriber's contract, or undefined. */
  delivery(pubsubName: string, topic: string, event: Record<string, unknown>, deadLetterTopic?: string): string | undefined;
  /** Before an output binding call. */
  binding(name: string, operation: string, data: Buffer): void;
  /** Whether calls to `appId` are checked (then `invoke` needs the whole body). */
  coversApp(appId: string): boolean;
  /** Before a call leaves for another app; `body` is the whole request body. */
  invoke(appId: string, req: InvokeRequest, body: Buffer): void;
  /**
   * After our app answered a call from another app: violations are logged and counted. Resolves with the
   * answer to relay, unchanged but for its body, read into memory when an operation's responses were checked.
   */
  answer(req: InvokeRequest, res: InvokeResponse): Promise<InvokeResponse>;
}

/**
 * Where the Contract kind installs its checks. The cores hold the gate, not the checks, so a reload swaps
 * every enforcement point at once; without contracts `checks` stays undefined and costs one property read.
 */
export class ContractGate {
  checks?: ContractChecks;
}
