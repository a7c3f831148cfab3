import type { AccessControlSpec } from '../../config/configuration.js';
import type { Caller } from './types.js';

type Action = 'allow' | 'deny';

/**
 * Callee-side access control as daprd evaluates it: the caller's policy (matched by app-id, trust domain
 * and namespace) decides by its most specific operation match, else its default action; callers without
 * a policy get the global default. With mTLS all three come from the caller's verified SPIFFE id; without,
 * its sidecar stamps app-id and namespace and the trust domain is taken to be ours. No policies at all means allow; policies without a global default deny.
 * Returns undefined when allowed, else the reason.
 */
export function accessChecker(spec: AccessControlSpec | undefined, ownTrustDomain = 'public'): ((caller: Caller, method: string, verb: string) => string | undefined) | undefined {
  if (!spec || (!spec.policies?.length && !spec.defaultAction)) return undefined;
  const globalDefault: Action = spec.defaultAction ?? (spec.policies?.length ? 'deny' : 'allow');
  const trustDomain = spec.trustDomain ?? ownTrustDomain;
  return (caller, method, verb) => {
    const policy = spec.policies?.find(
      (p) => p.appId === caller.appId && (p.trustDomain ?? trustDomain) === (caller.trustDomain ?? trustDomain) && (p.namespace === undefined || p.namespace === caller.namespace),
    );
    let decision: Action = globalDefault;
    if (policy) {
      decision = policy.defaultAction ?? globalDefault;
      const path = `/${method.replace(/^\/+/, '')}`;
      let best: { length: number; action: Action } | undefined;
      for (const op of policy.operations ?? []) {
        if (!matchesOperation(op.name, path)) continue;
        const verbs = op.httpVerb ?? ['*'];
        if (!verbs.includes('*') && !verbs.some((v) => v.toUpperCase() === verb.toUpperCase())) continue;
        const length = op.name.replace(/\*+$/, '').length;
        if (!best || length > best.length) best = { length, action: op.action };
      }
      if (best) decision = best.action;
    }
    return decision === 'allow' ? undefined : `access control policy has denied access to id: ${caller.appId} operation: ${method} verb: ${verb}`;
  };
}

/** Operation names are paths where `*` matches one segment and `**` any number of them. */
function matchesOperation(pattern: string, path: string): boolean {
  const p = `/${pattern.replace(/^\/+/, '')}`.split('/');
  const s = path.split('?')[0].split('/');
  const walk = (i: number, j: number): boolean => {
    if (i === p.length) return j === s.length;
    if (p[i] === '**') return i === p.length - 1 || Array.from({ length: s.length - j + 1 }, (_, k) => j + k).some((k) => walk(i + 1, k));
    if (j === s.length) return false;
    return (p[i] === '*' || p[i] === s[j]) && walk(i + 1, j + 1);
  };
  return walk(0, 0);
}
