import type { ComponentCategory } from '../contracts/component.js';
import type { Resiliency } from './resiliency.js';
import { runWithPolicy, type RetryFilter } from './runner.js';

/** Runs one call to (or on behalf of) a component under the policy that governs it. */
export type ComponentCall = <T>(component: string, fn: () => Promise<T>) => Promise<T>;

/** No policy at all: the call runs once, as it is. */
export const direct: ComponentCall = (_component, fn) => fn();

export function componentCaller(res: Resiliency, category: ComponentCategory, direction: 'outbound' | 'inbound', retryable?: RetryFilter): ComponentCall {
  return (component, fn) => {
    const policy = res.componentPolicy(component, category, direction);
    return policy ? runWithPolicy(policy, res.breaker(policy), fn, retryable) : fn();
  };
}
