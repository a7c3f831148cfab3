import { status, type MethodDefinition, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';

/** RPCs of dapr.proto.runtime.v1.Dapr whose building blocks this build does not serve: [name, streams]. */
const UNIMPLEMENTED: ReadonlyArray<readonly [string, 'unary' | 'bidi']> = [
  ...['RegisterActorTimer', 'UnregisterActorTimer', 'RegisterActorReminder', 'UnregisterActorReminder', 'UnregisterActorRemindersByType',
    'ListActorReminders', 'GetActorState', 'GetActorReminder', 'ExecuteActorStateTransaction', 'InvokeActor'].map((n) => [n, 'unary'] as const),
  ['SubscribeActorEventsAlpha1', 'bidi'],
  ['EncryptAlpha1', 'bidi'],
  ['DecryptAlpha1', 'bidi'],
  ...['SubtleGetKeyAlpha1', 'SubtleEncryptAlpha1', 'SubtleDecryptAlpha1', 'SubtleWrapKeyAlpha1', 'SubtleUnwrapKeyAlpha1', 'SubtleSignAlpha1', 'SubtleVerifyAlpha1'].map((n) => [n, 'unary'] as const),
  ...['Start', 'Get', 'Purge', 'Terminate', 'Pause', 'Resume', 'RaiseEvent'].flatMap((v) => [`${v}WorkflowAlpha1`, `${v}WorkflowBeta1`]).map((n) => [n, 'unary'] as const),
  ...['ScheduleJob', 'GetJob', 'DeleteJob', 'DeleteJobsByPrefix', 'ListJobs'].flatMap((n) => [`${n}Alpha1`, n]).map((n) => [n, 'unary'] as const),
  ...['ConverseAlpha1', 'ConverseAlpha2'].map((n) => [n, 'unary'] as const),
];

const raw = (b: Buffer) => b;

/**
 * A service definition that accepts those RPCs (plus declared ones not wired to a handler) as raw bytes
 * and answers UNIMPLEMENTED naming the RPC, so clients get a clear answer, not "method not found".
 */
export function unimplementedService(notWired: Record<string, MethodDefinition<unknown, unknown>>): {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
} {
  const definition: Record<string, unknown> = {};
  const implementation: Record<string, unknown> = {};
  const entries = [...UNIMPLEMENTED, ...Object.entries(notWired).map(([n, d]) => [n, d.requestStream || d.responseStream ? 'bidi' : 'unary'] as const)];
  for (const [name, kind] of entries) {
    const stream = kind === 'bidi';
    definition[name] = notWired[name] ?? {
      path: `/dapr.proto.runtime.v1.Dapr/${name}`,
      requestStream: stream,
      responseStream: stream,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
    };
    const error = { code: status.UNIMPLEMENTED, details: `${name} is not implemented by this sidecar: its building block is not available` };
    implementation[name] = stream
      ? (call: { emit(e: 'error', err: unknown): void }) => call.emit('error', error)
      : (_call: unknown, callback: (err: unknown) => void) => callback(error);
  }
  return { definition: definition as ServiceDefinition, implementation: implementation as UntypedServiceImplementation };
}
