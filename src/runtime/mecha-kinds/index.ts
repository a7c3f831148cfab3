import { createWorkflowKind } from '../../workflows/workflow-kind.js';
import type { MechaKindFactory } from './mecha-kind.js';

/** Every Mecha kind the sidecar runs, in the order they start (and the reverse of the order they stop). */
export const mechaKindFactories: readonly MechaKindFactory[] = [createWorkflowKind];
