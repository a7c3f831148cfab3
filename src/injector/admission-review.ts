import type { Logger } from 'pino';
import { AnnotationError, injectionRequested, type Pod } from './annotations.js';
import { alreadyInjected, sidecarPatch, type InjectorOptions } from './sidecar-patch.js';

const API_VERSION = 'admission.k8s.io/v1';

interface AdmissionRequest {
  uid?: unknown;
  kind?: { kind?: string };
  operation?: string;
  namespace?: string;
  name?: string;
  object?: unknown;
}

export interface AdmissionAnswer {
  /** HTTP status: 200 for every review the API server sent properly, 4xx for requests that are not one. */
  status: number;
  review: { apiVersion: string; kind: 'AdmissionReview'; response: Record<string, unknown> };
}

/** An AdmissionReview answering `uid` (echoed whenever the request carried one). */
export function answer(uid: unknown, response: Record<string, unknown>, status = 200): AdmissionAnswer {
  return { status, review: { apiVersion: API_VERSION, kind: 'AdmissionReview', response: { uid: typeof uid === 'string' ? uid : '', ...response } } };
}

/** A request that is not an AdmissionReview the webhook can judge: refused, saying why. */
export function malformed(uid: unknown, message: string, status = 400): AdmissionAnswer {
  return answer(uid, { allowed: false, status: { code: status, message: `mecha injector: ${message}` } }, status);
}

/**
 * The answer to one AdmissionReview: allowed, with a JSON patch when a pod being created asks for the
 * sidecar; allowed untouched when it does not or already has one; refused when its annotations cannot
 * be used. Never throws.
 */
export function review(body: unknown, o: InjectorOptions, logger?: Logger): AdmissionAnswer {
  if (!isObject(body)) return malformed(undefined, 'the body is not a JSON object');
  const request = body.request as AdmissionRequest | undefined;
  const uid = isObject(request) ? request.uid : undefined;
  if (body.kind !== 'AdmissionReview' || body.apiVersion !== API_VERSION) {
    return malformed(uid, `expected kind AdmissionReview of apiVersion ${API_VERSION}, got ${String(body.kind)} of ${String(body.apiVersion)} (admissionReviewVersions must be ["v1"])`);
  }
  if (!isObject(request) || typeof uid !== 'string' || uid === '') return malformed(uid, 'request.uid is missing');
  // As Dapr's injector: anything but a pod being created is let through untouched.
  if ((request.kind as { kind?: unknown } | undefined)?.kind !== 'Pod' || request.operation !== 'CREATE') return answer(uid, { allowed: true });
  const problem = podProblem(request.object);
  if (problem) return malformed(uid, `request.object is not a Pod: ${problem}`);
  const pod = request.object as Pod;
  if (!injectionRequested(pod) || alreadyInjected(pod)) return answer(uid, { allowed: true });
  const where = { namespace: request.namespace, pod: pod.metadata?.name ?? pod.metadata?.generateName, uid };
  try {
    const { patch, appId, warnings } = sidecarPatch(pod, o);
    logger?.info({ ...where, appId, warnings }, 'sidecar injected');
    return answer(uid, {
      allowed: true,
      patchType: 'JSONPatch',
      patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
      ...(warnings.length > 0 ? { warnings: warnings.map((w) => `mecha injector: ${w}`) } : {}),
    });
  } catch (err) {
    const known = err instanceof AnnotationError;
    logger?.[known ? 'warn' : 'error']({ ...where, err }, 'sidecar not injected');
    // Dapr's injector refuses a pod it cannot configure, saying why.
    return answer(uid, { allowed: false, status: { code: known ? 400 : 500, message: `mecha injector: ${(err as Error).message}` } });
  }
}

/** What makes `object` unusable as a pod, checked as far as the patch relies on it. */
function podProblem(object: unknown): string | undefined {
  if (!isObject(object)) return 'not an object';
  const { metadata, spec } = object as Record<string, unknown>;
  if (metadata !== undefined && !isObject(metadata)) return 'metadata is not an object';
  for (const field of ['annotations', 'labels'] as const) {
    const map = (metadata as Record<string, unknown> | undefined)?.[field];
    if (map !== undefined && (!isObject(map) || Object.values(map).some((v) => typeof v !== 'string'))) return `metadata.${field} is not a map of strings`;
  }
  if (spec !== undefined && !isObject(spec)) return 'spec is not an object';
  const s = (spec ?? {}) as Record<string, unknown>;
  for (const list of ['containers', 'initContainers'] as const) {
    const containers = s[list];
    if (containers === undefined) continue;
    if (!Array.isArray(containers)) return `spec.${list} is not a list`;
    for (const [i, c] of containers.entries()) {
      if (!isObject(c) || typeof c.name !== 'string') return `spec.${list}[${i}] has no name`;
      if (c.env !== undefined && c.env !== null && (!Array.isArray(c.env) || !c.env.every((e) => isObject(e) && typeof e.name === 'string'))) return `spec.${list}[${i}].env is not a list of named variables`;
    }
  }
  if (s.volumes !== undefined && (!Array.isArray(s.volumes) || !s.volumes.every((v) => isObject(v) && typeof v.name === 'string'))) return 'spec.volumes is not a list of named volumes';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
