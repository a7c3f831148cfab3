import { posix } from 'node:path';

/**
 * Finds the target app-id and method of an invocation request, in daprd's order: the `dapr-app-id`
 * header (on any path), Basic auth `dapr-app-id:<id>`, then `/v1.0/invoke/<id>/method/<method…>`.
 */
export function findTarget(path: string, header: (name: string) => string | undefined): { targetId: string; method: string } | undefined {
  const fromHeader = header('dapr-app-id');
  if (fromHeader) return { targetId: fromHeader, method: cleanMethod(path) };

  const auth = header('authorization');
  if (auth?.startsWith('Basic ')) {
    const pair = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    if (pair.length === 2 && pair[0].toLowerCase() === 'dapr-app-id') return { targetId: pair[1], method: cleanMethod(path) };
  }

  const m = /^\/+v1\.0\/+invoke\/+(.*)$/.exec(path);
  if (!m) return undefined;
  const rest = m[1];
  const at = rest.indexOf('/method/');
  if (at <= 0) return undefined;
  let targetId = rest.slice(0, at);
  try {
    targetId = decodeURIComponent(targetId.replace(/\+/g, ' ')) || targetId;
  } catch {
    // Not valid escaping: keep it as written.
  }
  const method = posix.normalize(rest.slice(at + '/method/'.length));
  return { targetId, method: method === '.' ? '' : method.replace(/^\/+/, '') };
}

function cleanMethod(path: string): string {
  const cleaned = posix.normalize(path.split('?')[0]).replace(/\/+$/, '');
  return cleaned.replace(/^\/+/, '');
}

/** `app` (own namespace) or `app.namespace`; URLs are kept whole. More than one dot is an error. */
export function parseTargetId(targetId: string, ownNamespace: string): { appId: string; namespace: string } {
  if (/^https?:\/\//i.test(targetId)) return { appId: targetId, namespace: '' };
  const parts = targetId.split('.');
  if (parts.length === 1) return { appId: targetId, namespace: ownNamespace };
  if (parts.length === 2) return { appId: parts[0], namespace: parts[1] };
  throw new Error(`invalid app id ${targetId}`);
}
