import { AslError } from '../asl/errors.js';

/** The ASL errors building-block tasks fail with (docs/workflows.md lists them; Retry and Catch match on them). */
export const TaskError = {
  InvokeFailed: 'Mecha.InvokeFailed',
  PublishFailed: 'Mecha.PublishFailed',
  BindingFailed: 'Mecha.BindingFailed',
  StateFailed: 'Mecha.StateFailed',
} as const;

/** A building block's error as the ASL error of its kind, keeping its message as the Cause. */
export function taskFailure(error: string, err: unknown): AslError {
  return new AslError(error, err instanceof Error ? err.message : String(err));
}

/** The header (invoke) and metadata key (publish, bindings) that carry a Task attempt's idempotency key. */
export const IDEMPOTENCY_HEADER = 'mecha-idempotency-key';
export const IDEMPOTENCY_METADATA = 'idempotencyKey';
/** The CloudEvent extension attribute that carries it for publish (extension names are lowercase alphanumerics). */
export const IDEMPOTENCY_CLOUDEVENT_ATTRIBUTE = 'idempotencykey';
