import { createContractKind } from '../../api-contracts/contract-kind.js';
import type { MechaKindFactory } from './mecha-kind.js';

/** Every Mecha kind the sidecar runs, in the order they start (and the reverse of the order they stop). */
export const mechaKindFactories: readonly MechaKindFactory[] = [createContractKind];
