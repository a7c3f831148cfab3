import { createContractKind } from '../../api-contracts/contract-kind.js';
import { routeKindFactory } from '../../routes/route-kind.js';
import { createWorkflowKind } from '../../workflows/workflow-kind.js';
import type { MechaKindFactory } from './mecha-kind.js';

/**
 * Every Mecha kind the sidecar runs, in the order they start (and the reverse of the order they stop):
 * contracts first, so that what workflows and routes publish is checked from their first message.
 */
export const mechaKindFactories: readonly MechaKindFactory[] = [createContractKind, createWorkflowKind, routeKindFactory];
