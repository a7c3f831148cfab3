import { createPrivateKey, X509Certificate as NodeCertificate } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spiffeUri, type SpiffeId } from './spiffe.js';
import { EC_SIGNING, importSigningKey, newKeyPair, privateKeyPem, splitPem, x509, type CryptoKey } from './x509.js';

/** daprd's file names in Sentry's issuer credentials directory. */
export const CA_FILES = { root: 'ca.crt', issuer: 'issuer.crt', issuerKey: 'issuer.key', rootKey: 'ca.key' } as const;
const CA_VALIDITY_MS = 365 * 24 * 3_600_000;

/** A certificate Sentry issued: the PEM chain (workload first, then the issuer) and its expiry. */
export interface IssuedCertificate {
  chainPem: string;
  notAfter: Date;
}

/**
 * Sentry's signing authority: a root (the trust anchor every sidecar is given) and an issuer under it that
 * signs the workload certificates (X.509 SVIDs). The root key is only needed to make a new issuer, so a
 * generated one is used once and not kept.
 */
export class CertificateAuthority {
  private constructor(
    readonly rootPem: string,
    private readonly issuer: x509.X509Certificate,
    private readonly issuerPem: string,
    private readonly issuerKey: CryptoKey,
  ) {}

  /** Reads `dir`'s ca.crt, issuer.crt and issuer.key, or, when none is there, makes and writes them. */
  static async fromDirectory(dir: string, log: (msg: string) => void): Promise<CertificateAuthority> {
    const paths = Object.fromEntries(Object.entries(CA_FILES).map(([k, f]) => [k, join(dir, f)])) as Record<keyof typeof CA_FILES, string>;
    const present = await Promise.all([paths.root, paths.issuer, paths.issuerKey].map((p) => stat(p).then(() => true, () => false)));
    if (present.every((p) => !p)) {
      const ca = await CertificateAuthority.generate();
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(paths.root, ca.rootPem, { mode: 0o644 });
      await writeFile(paths.issuer, ca.issuerPem, { mode: 0o644 });
      await writeFile(paths.issuerKey, await privateKeyPem(ca.issuerKey), { mode: 0o600 });
      await chmod(paths.issuerKey, 0o600); // the mode above applies only to a file writeFile creates
      log(`generated a root and issuer certificate valid for one year, written to ${dir} (${CA_FILES.root}, ${CA_FILES.issuer}, ${CA_FILES.issuerKey})`);
      return ca;
    }
    if (!present.every(Boolean)) {
      const missing = [CA_FILES.root, CA_FILES.issuer, CA_FILES.issuerKey].filter((_, i) => !present[i]);
      throw new Error(`--issuer-credentials ${dir}: ${missing.join(', ')} missing (give all of ${CA_FILES.root}, ${CA_FILES.issuer}, ${CA_FILES.issuerKey}, or none to generate them)`);
    }
    await refuseOpenKey(paths.issuerKey);
    await refuseOpenKey(paths.rootKey, true);
    const [rootPem, issuerPem, keyPem] = await Promise.all([paths.root, paths.issuer, paths.issuerKey].map((p) => readFile(p, 'utf8')));
    return CertificateAuthority.fromPem(rootPem, issuerPem, keyPem);
  }

  static async fromPem(rootPem: string, issuerChainPem: string, issuerKeyPem: string): Promise<CertificateAuthority> {
    const roots = splitPem(rootPem);
    const chain = splitPem(issuerChainPem);
    if (roots.length === 0) throw new Error(`${CA_FILES.root}: no PEM certificate`);
    if (chain.length === 0) throw new Error(`${CA_FILES.issuer}: no PEM certificate`);
    const issuer = new NodeCertificate(chain[0]);
    if (!issuer.ca) throw new Error(`${CA_FILES.issuer}: not a CA certificate (basicConstraints CA:TRUE missing)`);
    if (Date.parse(issuer.validTo) < Date.now()) throw new Error(`${CA_FILES.issuer}: expired on ${issuer.validTo}`);
    const last = new NodeCertificate(chain[chain.length - 1]);
    if (!roots.some((r) => last.checkIssued(new NodeCertificate(r)) && last.verify(new NodeCertificate(r).publicKey))) {
      throw new Error(`${CA_FILES.issuer}: not signed by the root in ${CA_FILES.root}`);
    }
    let key: CryptoKey;
    try {
      key = await importSigningKey(issuerKeyPem);
    } catch (err) {
      throw new Error(`${CA_FILES.issuerKey}: ${(err as Error).message}`);
    }
    if (!issuer.checkPrivateKey(createPrivateKey(issuerKeyPem))) throw new Error(`${CA_FILES.issuerKey}: not the key of ${CA_FILES.issuer}`);
    return new CertificateAuthority(roots.join('\n'), new x509.X509Certificate(chain[0]), chain.join('\n'), key);
  }

  /** A new self-signed root and an issuer under it, both ECDSA P-256. */
  static async generate(): Promise<CertificateAuthority> {
    const [rootKeys, issuerKeys] = await Promise.all([newKeyPair(), newKeyPair()]);
    const notBefore = new Date(Date.now() - 60_000);
    const notAfter = new Date(notBefore.getTime() + CA_VALIDITY_MS);
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'O=dapr.io/sentry, CN=cluster.local',
      keys: rootKeys,
      notBefore,
      notAfter,
      signingAlgorithm: EC_SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    const issuer = await x509.X509CertificateGenerator.create({
      subject: 'O=dapr.io/sentry, CN=cluster.local',
      issuer: root.subject,
      publicKey: issuerKeys.publicKey,
      signingKey: rootKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: EC_SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(issuerKeys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(root),
      ],
    });
    return new CertificateAuthority(root.toString('pem'), issuer, issuer.toString('pem'), issuerKeys.privateKey);
  }

  /** Signs a PEM CSR (its signature checked) as the X.509 SVID of `id`, valid from `skewMs` ago for `ttlMs`. */
  async signCsr(csrPem: string, id: SpiffeId, ttlMs: number, skewMs: number): Promise<IssuedCertificate> {
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrPem);
    } catch (err) {
      throw new Error(`certificate_signing_request: not a PEM certificate request (${(err as Error).message})`);
    }
    if (!(await csr.verify())) throw new Error('certificate_signing_request: its signature does not match its public key');
    return this.issue(csr.publicKey, id, ttlMs, skewMs);
  }

  /** The SVID for a public key; its DNS SAN is the Kubernetes Service-style name Sentry adds. */
  async issue(publicKey: x509.PublicKey | CryptoKey, id: SpiffeId, ttlMs: number, skewMs: number): Promise<IssuedCertificate> {
    const now = Date.now();
    // Certificates count whole seconds: rounding up keeps the lifetime at least the TTL.
    const notAfter = new Date(Math.min(Math.ceil((now + ttlMs) / 1000) * 1000, this.issuer.notAfter.getTime()));
    const cert = await x509.X509CertificateGenerator.create({
      subject: '',
      issuer: this.issuer.subject,
      publicKey,
      signingKey: this.issuerKey,
      notBefore: new Date(now - skewMs),
      notAfter,
      signingAlgorithm: EC_SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        // With an empty subject the SAN carries the identity and must be critical (RFC 5280 4.2.1.6).
        new x509.SubjectAlternativeNameExtension(
          [
            { type: 'url', value: spiffeUri(id) },
            { type: 'dns', value: `${id.appId}.${id.namespace}.svc.cluster.local` },
          ],
          true,
        ),
        await x509.AuthorityKeyIdentifierExtension.create(this.issuer),
      ],
    });
    return { chainPem: `${cert.toString('pem')}\n${this.issuerPem}\n`, notAfter };
  }
}

/** Sentry refuses to start with a signing key others could read, as a leaked issuer key forges every identity. */
async function refuseOpenKey(path: string, optional = false): Promise<void> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(`${path} is readable by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); refusing to start: make it 0600 (chmod 600 ${path})`);
  }
}
