import type { Headers } from '../core/invocation/types.js';
import type { ResourceDocument } from './resource-documents.js';
import type { ResourceProblem } from './resource-problem.js';

/** An `HTTPEndpoint` resource: an external service callable by name through service invocation. */
export interface HttpEndpoint {
  name: string;
  baseUrl: string;
  headers: Headers;
  tls?: { ca?: string; cert?: string; key?: string };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads `kind: HTTPEndpoint` documents in scope for this app. Values given as `secretKeyRef` need a
 * secret store, which is reported as a problem naming the field until one is loaded.
 */
export function loadHttpEndpoints(documents: readonly ResourceDocument[], appId: string): { endpoints: Map<string, HttpEndpoint>; problems: ResourceProblem[] } {
  const endpoints = new Map<string, HttpEndpoint>();
  const problems: ResourceProblem[] = [];
  for (const doc of documents.filter((d) => d.content.kind === 'HTTPEndpoint')) {
    const at = { file: doc.file, document: doc.index };
    const c = doc.content;
    const scopes = Array.isArray(c.scopes) ? (c.scopes as string[]) : [];
    if (scopes.length > 0 && !scopes.includes(appId)) continue;
    const name = isObj(c.metadata) && typeof c.metadata.name === 'string' ? c.metadata.name : '';
    const spec = isObj(c.spec) ? c.spec : {};
    if (!name) problems.push({ ...at, field: 'metadata.name', message: 'is required' });
    const baseUrl = typeof spec.baseUrl === 'string' ? spec.baseUrl : '';
    if (!/^https?:\/\/[^/]+/i.test(baseUrl)) problems.push({ ...at, field: 'spec.baseUrl', message: `must be an http:// or https:// URL, got ${JSON.stringify(spec.baseUrl ?? null)}` });
    if (endpoints.has(name)) problems.push({ ...at, field: 'metadata.name', message: `duplicate HTTPEndpoint name "${name}"` });
    const headers: Headers = {};
    (Array.isArray(spec.headers) ? spec.headers : []).forEach((h: unknown, i: number) => {
      const field = `spec.headers[${i}]`;
      if (!isObj(h) || typeof h.name !== 'string' || h.name === '') return problems.push({ ...at, field: `${field}.name`, message: 'is required' });
      if (h.secretKeyRef !== undefined) return problems.push({ ...at, field: `${field}.secretKeyRef`, message: 'secret references need a secret store (auth.secretStore) that is loaded' });
      headers[h.name.toLowerCase()] = [String(h.value ?? '')];
    });
    const tls = isObj(spec.clientTLS) ? spec.clientTLS : undefined;
    const tlsValue = (k: string): string | undefined => {
      const v = tls?.[k];
      if (v === undefined) return undefined;
      if (isObj(v) && typeof v.value === 'string') return v.value;
      problems.push({ ...at, field: `spec.clientTLS.${k}`, message: 'expected { value: <PEM> }' });
      return undefined;
    };
    endpoints.set(name, {
      name,
      baseUrl,
      headers,
      tls: tls ? { ca: tlsValue('rootCA'), cert: tlsValue('certificate'), key: tlsValue('privateKey') } : undefined,
    });
  }
  return { endpoints, problems };
}
