import { experimental, Server, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { CertificateAuthority } from './ca.js';
import { RotatingIdentity } from './rotating-identity.js';
import { sentryService, type SignCertificateRequest, type SignCertificateResponse } from './sentry-proto.js';
import { checkIdParts, sentryId, spiffeUri, type SpiffeId } from './spiffe.js';
import { newKeyPair, privateKeyPem } from './x509.js';

/** Checks a caller's token for the identity it asks for; resolves when it may have it, else rejects saying why. */
export type TokenValidator = (req: SignCertificateRequest) => Promise<void>;

export interface SentryOptions {
  ca: CertificateAuthority;
  /** Sentry's own trust domain and namespace: it serves as spiffe://<trustDomain>/ns/<namespace>/dapr-sentry. */
  trustDomain: string;
  namespace: string;
  workloadTtlMs: number;
  allowedClockSkewMs: number;
  /** `kubernetes`: tokens are checked with the API server's TokenReview; `standalone`: callers are believed, as daprd's self-hosted Sentry does. */
  mode: 'standalone' | 'kubernetes';
  kubernetesValidator?: TokenValidator;
}

/** A workload's trust domain when its request names none: daprd's default access-control trust domain. */
export const DEFAULT_WORKLOAD_TRUST_DOMAIN = 'public';

class SignError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Dapr Sentry's certificate API over TLS: signs each sidecar's CSR as the X.509 SVID of the identity it
 * proved. Its own serving certificate comes from the same issuer and is renewed like a workload's.
 */
export async function startSentry(o: SentryOptions, port: number, listenAddress: string, logger: Logger): Promise<{ port: number; close(): Promise<void> }> {
  const own = sentryId(o.trustDomain, o.namespace);
  const identity = await RotatingIdentity.start(
    o.ca.rootPem,
    async () => {
      const keys = await newKeyPair();
      const issued = await o.ca.issue(keys.publicKey, own, o.workloadTtlMs, o.allowedClockSkewMs);
      return { ...issued, keyPem: await privateKeyPem(keys.privateKey) };
    },
    logger,
    'sentry serving certificate',
  );
  const server = new Server();
  server.addService(sentryService().service, {
    SignCertificate: (call: ServerUnaryCall<SignCertificateRequest, SignCertificateResponse>, cb: sendUnaryData<SignCertificateResponse>) =>
      void sign(o, call.request, logger).then(
        (res) => cb(null, res),
        (err: Error) => {
          logger.warn(`refused to sign a certificate for app id "${call.request.id}" in namespace "${call.request.namespace}": ${err.message}`);
          cb({ code: err instanceof SignError ? err.code : status.INTERNAL, details: err.message });
        },
      ),
  });
  // Clients check Sentry's SPIFFE id; Sentry asks for no client certificate (a new sidecar has none yet).
  const credentials = experimental.createCertificateProviderServerCredentials(identity, null, false);
  const target = listenAddress.includes(':') ? `[${listenAddress}]:${port}` : `${listenAddress}:${port}`;
  const bound = await new Promise<number>((resolve, reject) => server.bindAsync(target, credentials, (err, p) => (err ? reject(err) : resolve(p))));
  logger.info({ port: bound, id: spiffeUri(own) }, `sentry serving dapr.proto.sentry.v1.CA on ${listenAddress}:${bound}`);
  return {
    port: bound,
    close: async () => {
      identity.close();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
    },
  };
}

async function sign(o: SentryOptions, req: SignCertificateRequest, logger: Logger): Promise<SignCertificateResponse> {
  if (!req.id) throw new SignError(status.INVALID_ARGUMENT, 'id: the app id is required');
  if (req.id.length > 64) throw new SignError(status.INVALID_ARGUMENT, 'id: the app id must be 64 characters or less');
  if (!req.namespace) throw new SignError(status.INVALID_ARGUMENT, 'namespace: the namespace is required');
  if (req.certificate_signing_request.length === 0) throw new SignError(status.INVALID_ARGUMENT, 'certificate_signing_request: a PEM CSR is required');
  const id: SpiffeId = { trustDomain: req.trust_domain || DEFAULT_WORKLOAD_TRUST_DOMAIN, namespace: req.namespace, appId: req.id };
  const invalid = checkIdParts(id);
  if (invalid) throw new SignError(status.INVALID_ARGUMENT, invalid);
  await validate(o, req);
  let issued;
  try {
    issued = await o.ca.signCsr(req.certificate_signing_request.toString('utf8'), id, o.workloadTtlMs, o.allowedClockSkewMs);
  } catch (err) {
    throw new SignError(status.INVALID_ARGUMENT, (err as Error).message);
  }
  logger.info(`issued a workload certificate for ${spiffeUri(id)}, valid until ${issued.notAfter.toISOString()}`);
  const ms = issued.notAfter.getTime();
  return {
    workload_certificate: Buffer.from(issued.chainPem),
    trust_chain_certificates: [Buffer.from(o.ca.rootPem)],
    valid_until: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 },
  };
}

/** The validator a request names, or its mode's default; standalone has no way to check a token. */
async function validate(o: SentryOptions, req: SignCertificateRequest): Promise<void> {
  const validator = req.token_validator === 'UNKNOWN' ? (o.mode === 'kubernetes' ? 'KUBERNETES' : 'INSECURE') : req.token_validator;
  if (validator === 'INSECURE') {
    if (o.mode === 'kubernetes') throw new SignError(status.INVALID_ARGUMENT, 'token_validator: INSECURE is not accepted in Kubernetes mode');
    return;
  }
  if (validator === 'KUBERNETES' && o.kubernetesValidator) {
    try {
      return await o.kubernetesValidator(req);
    } catch (err) {
      throw new SignError(status.PERMISSION_DENIED, `token: ${(err as Error).message}`);
    }
  }
  throw new SignError(status.INVALID_ARGUMENT, `token_validator: ${validator} is not enabled on this Sentry (mode ${o.mode})`);
}
