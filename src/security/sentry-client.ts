import { webcrypto, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { credentials, Metadata, type Client } from '@grpc/grpc-js';
import type { Credentials } from './rotating-identity.js';
import { sentryService, type SignCertificateRequest, type SignCertificateResponse } from './sentry-proto.js';
import { peerMismatch, spiffeIdOfAltNames, spiffeUri, type SpiffeId } from './spiffe.js';
import { EC_SIGNING, newKeyPair, privateKeyPem, splitPem, x509 } from './x509.js';

export interface SentryRequest {
  sentryAddress: string;
  trustAnchorsPem: string;
  /** Sentry must present this id (daprd: spiffe://<control-plane trust domain>/ns/<control-plane namespace>/dapr-sentry). */
  sentry: SpiffeId;
  appId: string;
  namespace: string;
  /** Empty: Sentry's default (`public`). */
  trustDomain: string;
  /** Where a Kubernetes service account token for Sentry is, if any. */
  tokenFile?: string;
}

/** daprd's attempts and per-attempt timeout for a certificate request. */
const ATTEMPTS = 5;
const ATTEMPT_TIMEOUT_MS = 3_000;

type CaClient = Client & {
  SignCertificate(req: object, md: Metadata, opts: { deadline: number }, cb: (err: Error | null, res: SignCertificateResponse) => void): void;
};

/** A new key and CSR, signed by Sentry into this workload's X.509 SVID, checked before it is used. */
export async function requestSvid(r: SentryRequest): Promise<Credentials & { id: SpiffeId }> {
  const keys = await newKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${r.appId}`,
    keys,
    signingAlgorithm: EC_SIGNING,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: r.appId }])],
  });
  const token = r.tokenFile ? (await readFile(r.tokenFile, 'utf8')).trim() : '';
  const req: Partial<SignCertificateRequest> = {
    id: r.appId,
    namespace: r.namespace,
    trust_domain: r.trustDomain,
    token,
    token_validator: token ? 'KUBERNETES' : 'UNKNOWN',
    certificate_signing_request: Buffer.from(csr.toString('pem')),
  };
  const res = await withClient(r, (client) => signWithRetries(client, req, r.sentryAddress));
  const chain = splitPem(res.workload_certificate);
  if (chain.length === 0) throw new Error(`sentry at ${r.sentryAddress} returned no certificate`);
  const leaf = new X509Certificate(chain[0]);
  const id = spiffeIdOfAltNames(leaf.subjectAltName);
  const wrong = peerMismatch(leaf.subjectAltName, { appId: r.appId, namespace: r.namespace, trustDomain: r.trustDomain || undefined });
  if (!id || wrong) throw new Error(`sentry at ${r.sentryAddress} returned a certificate for another identity: ${wrong}`);
  const ownKey = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey as webcrypto.CryptoKey));
  if (!leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(ownKey)) throw new Error(`sentry at ${r.sentryAddress} returned a certificate for another key`);
  return { id, chainPem: chain.join('\n'), keyPem: await privateKeyPem(keys.privateKey), notAfter: new Date(leaf.validTo) };
}

async function withClient<T>(r: SentryRequest, use: (c: CaClient) => Promise<T>): Promise<T> {
  const expected = spiffeUri(r.sentry);
  const creds = credentials.createSsl(Buffer.from(r.trustAnchorsPem), null, null, {
    checkServerIdentity: (_host, cert) => {
      const wrong = peerMismatch(cert.subjectaltname, r.sentry);
      return wrong ? new Error(`sentry at ${r.sentryAddress} is not ${expected}: ${wrong}`) : undefined;
    },
  });
  const Ctor = sentryService();
  const client = new Ctor(r.sentryAddress, creds, { 'grpc.ssl_target_name_override': `${r.sentry.appId}.${r.sentry.namespace}.svc.cluster.local` }) as unknown as CaClient;
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

async function signWithRetries(client: CaClient, req: object, address: string): Promise<SignCertificateResponse> {
  let last: Error | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      return await new Promise<SignCertificateResponse>((resolve, reject) =>
        client.SignCertificate(req, new Metadata(), { deadline: Date.now() + ATTEMPT_TIMEOUT_MS }, (err, res) => (err ? reject(err) : resolve(res))),
      );
    } catch (err) {
      last = err as Error;
      // A refusal (bad request, denied token) will not change on retry; an unreachable Sentry may.
      const code = (err as { code?: number }).code;
      if (code === 3 || code === 7 || code === 16) break;
      if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
  throw new Error(`requesting a certificate from sentry at ${address} failed: ${last?.message}`);
}
