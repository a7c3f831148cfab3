/** A Dapr workload's SPIFFE id: `spiffe://<trust domain>/ns/<namespace>/<app id>`. */
export interface SpiffeId {
  trustDomain: string;
  namespace: string;
  appId: string;
}

const SPIFFE_URI = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/([^/]+)$/;

export function spiffeUri(id: SpiffeId): string {
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/${id.appId}`;
}

export function parseSpiffeUri(uri: string): SpiffeId | undefined {
  const m = SPIFFE_URI.exec(uri);
  return m ? { trustDomain: m[1], namespace: m[2], appId: m[3] } : undefined;
}

/**
 * The SPIFFE id of a certificate as Node's tls reports it (`subjectaltname`: "URI:spiffe://…, DNS:…").
 * An SVID has exactly one URI SAN; anything else is no identity.
 */
export function spiffeIdOfAltNames(subjectAltName: string | undefined): SpiffeId | undefined {
  const uris = (subjectAltName ?? '').split(', ').filter((n) => n.startsWith('URI:'));
  return uris.length === 1 ? parseSpiffeUri(uris[0].slice(4)) : undefined;
}

/** The id Sentry serves under, which daprd checks before it sends a CSR. */
export function sentryId(trustDomain: string, namespace: string): SpiffeId {
  return { trustDomain, namespace, appId: 'dapr-sentry' };
}

/** Trust domains and namespaces are DNS-label-like; app ids may not hold `/` or whitespace. */
export function checkIdParts(id: SpiffeId): string | undefined {
  if (!/^[a-z0-9._-]+$/.test(id.trustDomain)) return `trust domain "${id.trustDomain}" is not a valid SPIFFE trust domain (lowercase letters, digits, . _ -)`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id.namespace)) return `namespace "${id.namespace}" is not a valid namespace name`;
  if (!/^[A-Za-z0-9._~-]+$/.test(id.appId)) return `app id "${id.appId}" cannot be a SPIFFE id path segment`;
  return undefined;
}

/**
 * Why a peer certificate (Node's `subjectaltname` text) is not the expected identity, or undefined when it
 * is. `expected` fields left out match anything.
 */
export function peerMismatch(subjectAltName: string | undefined, expected: Partial<SpiffeId>): string | undefined {
  const id = spiffeIdOfAltNames(subjectAltName);
  if (!id) return `the peer certificate carries no SPIFFE id (${subjectAltName ?? 'no subject alternative names'})`;
  const want = { trustDomain: expected.trustDomain ?? id.trustDomain, namespace: expected.namespace ?? id.namespace, appId: expected.appId ?? id.appId };
  if (want.trustDomain !== id.trustDomain) return `the peer ${spiffeUri(id)} is in trust domain "${id.trustDomain}", not "${want.trustDomain}"`;
  if (want.namespace !== id.namespace || want.appId !== id.appId) return `the peer is ${spiffeUri(id)}, not ${spiffeUri(want)}`;
  return undefined;
}
