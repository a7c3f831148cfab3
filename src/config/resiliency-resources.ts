import { duration, parseCircuitBreaker, parseRetry } from '../resiliency/policies.js';
import type { ResiliencySpec } from '../resiliency/resiliency.js';
import type { ResourceDocument } from './resource-documents.js';
import type { ResourceProblem } from './resource-problem.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Merges the `kind: Resiliency` documents in scope for this app into one spec. Every problem names
 * the file, document and field; a policy a target names but nobody defines is a problem too.
 */
export function loadResiliency(documents: readonly ResourceDocument[], appId: string): { spec: ResiliencySpec; problems: ResourceProblem[] } {
  const spec: ResiliencySpec = { names: [], timeouts: new Map(), retries: new Map(), circuitBreakers: new Map(), apps: new Map(), components: new Map() };
  const problems: ResourceProblem[] = [];
  const pending: Array<() => void> = [];
  for (const doc of documents.filter((d) => d.content.kind === 'Resiliency')) {
    const at = { file: doc.file, document: doc.index };
    const attempt = (field: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        problems.push({ ...at, field, message: (err as Error).message.replace(/^[^:]*: /, '') });
      }
    };
    const c = doc.content;
    const scopes = Array.isArray(c.scopes) ? (c.scopes as string[]) : [];
    if (scopes.length > 0 && !scopes.includes(appId)) continue;
    const name = isObj(c.metadata) && typeof c.metadata.name === 'string' ? c.metadata.name : '';
    if (!name) problems.push({ ...at, field: 'metadata.name', message: 'is required' });
    spec.names.push(name);
    const policies = isObj(c.spec) && isObj(c.spec.policies) ? c.spec.policies : {};
    for (const [n, v] of Object.entries(isObj(policies.timeouts) ? policies.timeouts : {})) {
      attempt(`spec.policies.timeouts.${n}`, () => spec.timeouts.set(n, duration(v, '', `spec.policies.timeouts.${n}`)));
    }
    for (const [n, v] of Object.entries(isObj(policies.retries) ? policies.retries : {})) {
      attempt(`spec.policies.retries.${n}`, () => spec.retries.set(n, parseRetry(isObj(v) ? v : {}, `spec.policies.retries.${n}`)));
    }
    for (const [n, v] of Object.entries(isObj(policies.circuitBreakers) ? policies.circuitBreakers : {})) {
      attempt(`spec.policies.circuitBreakers.${n}`, () => spec.circuitBreakers.set(n, parseCircuitBreaker(isObj(v) ? v : {}, `spec.policies.circuitBreakers.${n}`)));
    }
    const targets = isObj(c.spec) && isObj(c.spec.targets) ? c.spec.targets : {};
    for (const [appTarget, refs] of Object.entries(isObj(targets.apps) ? targets.apps : {})) {
      const r = { ...refsOf(refs), resource: name };
      spec.apps.set(appTarget, r);
      pending.push(() => checkRefs(r, spec, `spec.targets.apps.${appTarget}`, at, problems));
    }
    for (const [component, dirs] of Object.entries(isObj(targets.components) ? targets.components : {})) {
      const d = isObj(dirs) ? dirs : {};
      const entry = { outbound: d.outbound ? { ...refsOf(d.outbound), resource: name } : undefined, inbound: d.inbound ? { ...refsOf(d.inbound), resource: name } : undefined };
      spec.components.set(component, entry);
      for (const dir of ['outbound', 'inbound'] as const) {
        const r = entry[dir];
        if (r) pending.push(() => checkRefs(r, spec, `spec.targets.components.${component}.${dir}`, at, problems));
      }
    }
  }
  for (const check of pending) check();
  return { spec, problems };
}

function refsOf(v: unknown): { timeout?: string; retry?: string; circuitBreaker?: string } {
  const o = isObj(v) ? v : {};
  const str = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);
  return { timeout: str(o.timeout), retry: str(o.retry), circuitBreaker: str(o.circuitBreaker) };
}

function checkRefs(r: ReturnType<typeof refsOf>, spec: ResiliencySpec, field: string, at: { file: string; document: number }, problems: ResourceProblem[]): void {
  const missing = (name: string | undefined, table: Map<string, unknown>) => name !== undefined && !table.has(name);
  if (missing(r.timeout, spec.timeouts)) problems.push({ ...at, field: `${field}.timeout`, message: `no timeout policy named "${r.timeout}"` });
  if (missing(r.retry, spec.retries)) problems.push({ ...at, field: `${field}.retry`, message: `no retry policy named "${r.retry}"` });
  if (missing(r.circuitBreaker, spec.circuitBreakers)) {
    problems.push({ ...at, field: `${field}.circuitBreaker`, message: `no circuit breaker policy named "${r.circuitBreaker}"` });
  }
}
