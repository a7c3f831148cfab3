import { isOutputBinding, type Binding, type BindingRequest, type BindingResponse } from '../contracts/binding.js';
import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import { direct, type ComponentCall } from '../resiliency/component-caller.js';
import type { ContractGate } from './contract-gate.js';

export interface Bindings {
  find(name: string): Binding | undefined;
}

/** Output bindings: lookup, operation check, daprd's single error code for every failure. */
export class BindingsApi {
  constructor(
    private readonly bindings: Bindings,
    private readonly call: ComponentCall = direct,
    /** Binding schemas of the running Contracts, checked before the call. */
    private readonly contracts?: ContractGate,
  ) {}

  async invoke(name: string, req: BindingRequest): Promise<BindingResponse> {
    const fail = (detail: string, cause?: unknown) => new SidecarError(Errors.InvokeOutputBinding, `error invoking output binding ${name}: ${detail}`, { cause });
    const binding = this.bindings.find(name);
    if (!binding || !isOutputBinding(binding)) throw fail(`couldn't find output binding ${name}`);
    const ops = binding.operations();
    if (!ops.includes(req.operation)) {
      throw fail(`binding ${name} does not support operation ${req.operation}. supported operations: ${ops.join(' ')}`);
    }
    this.contracts?.checks?.binding(name, req.operation, req.data);
    try {
      return await this.call(name, () => binding.invoke(req));
    } catch (err) {
      throw fail((err as Error).message, err);
    }
  }
}
