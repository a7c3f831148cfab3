import { readSubscription, type SubscriptionDefinition } from '../core/subscriptions/subscription.js';
import type { ResourceDocument } from './resource-documents.js';
import type { ResourceProblem } from './resource-problem.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const API_VERSIONS = ['dapr.io/v2alpha1', 'dapr.io/v1alpha1'];

/**
 * Reads `kind: Subscription` documents (`dapr.io/v2alpha1` with `routes`, or the older `dapr.io/v1alpha1`
 * with `route`) that are in scope for this app. Every problem is reported, naming file, document and field.
 */
export function loadSubscriptions(documents: readonly ResourceDocument[], appId: string): { subscriptions: SubscriptionDefinition[]; problems: ResourceProblem[] } {
  const subscriptions: SubscriptionDefinition[] = [];
  const problems: ResourceProblem[] = [];
  const names = new Set<string>();
  for (const doc of documents.filter((d) => d.content.kind === 'Subscription')) {
    const at = { file: doc.file, document: doc.index };
    const c = doc.content;
    if (!API_VERSIONS.includes(String(c.apiVersion))) {
      problems.push({ ...at, field: 'apiVersion', message: `must be one of ${API_VERSIONS.join(', ')}, got ${JSON.stringify(c.apiVersion ?? null)}` });
      continue;
    }
    if (c.scopes !== undefined && c.scopes !== null && (!Array.isArray(c.scopes) || c.scopes.some((s) => typeof s !== 'string'))) {
      problems.push({ ...at, field: 'scopes', message: 'must be a list of app-ids' });
      continue;
    }
    const scopes = (c.scopes ?? []) as string[];
    if (scopes.length > 0 && !scopes.includes(appId)) continue;
    const name = isObj(c.metadata) && typeof c.metadata.name === 'string' ? c.metadata.name : '';
    if (!name) problems.push({ ...at, field: 'metadata.name', message: 'is required' });
    else if (names.has(name)) problems.push({ ...at, field: 'metadata.name', message: `duplicate Subscription name "${name}"` });
    names.add(name);
    if (!isObj(c.spec)) {
      problems.push({ ...at, field: 'spec', message: 'is required' });
      continue;
    }
    const read = readSubscription(c.spec, 'DECLARATIVE', 'spec.');
    for (const e of read.errors) problems.push({ ...at, ...e });
    if (read.value && name) subscriptions.push({ ...read.value, name });
  }
  return { subscriptions, problems };
}
