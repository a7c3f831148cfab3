import type { Component } from './component.js';

export interface BindingRequest {
  operation: string;
  data: Buffer;
  metadata: Record<string, string>;
}

export interface BindingResponse {
  /** Undefined: nothing to return (the API answers 204). */
  data?: Buffer;
  metadata?: Record<string, string>;
}

export interface BindingEvent {
  data: Buffer;
  metadata: Record<string, string>;
}

/** Called for each event; resolves with the app's answer, rejects when the app refused it (the component redelivers if it can). */
export type BindingEventHandler = (event: BindingEvent) => Promise<Buffer | undefined>;

/** A binding that sends to the outside world (`POST /v1.0/bindings/<name>`). */
export interface OutputBinding {
  operations(): readonly string[];
  invoke(req: BindingRequest): Promise<BindingResponse>;
}

/** A binding that triggers the app on outside events. */
export interface InputBinding {
  /** Starts reading; resolves once reading; the handle stops it. */
  read(handler: BindingEventHandler): Promise<{ close(): Promise<void> }>;
}

export type Binding<M = Record<string, unknown>> = Component<M> & Partial<OutputBinding> & Partial<InputBinding>;

export function isOutputBinding(b: Binding): b is Binding & OutputBinding {
  return typeof b.invoke === 'function' && typeof b.operations === 'function';
}

export function isInputBinding(b: Binding): b is Binding & InputBinding {
  return typeof b.read === 'function';
}
