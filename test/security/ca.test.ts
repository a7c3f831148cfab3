import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/security/ca.js';
import { newKeyPair, x509, EC_SIGNING } from '../../src/security/x509.js';

const dirs: string[] = [];
const scratch = async () => {
  const d = await mkdtemp(join(tmpdir(), 'mecha-ca-'));
  dirs.push(d);
  return d;
};
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function csrFor(name: string): Promise<string> {
  const keys = await newKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${name}`, keys, signingAlgorithm: EC_SIGNING });
  return csr.toString('pem');
}

describe('certificate authority', () => {
  it('generates root, issuer and key on first start (key 0600) and reads them back', async () => {
    const dir = join(await scratch(), 'creds');
    const logs: string[] = [];
    const first = await CertificateAuthority.fromDirectory(dir, (m) => logs.push(m));
    expect(logs[0]).toMatch(/generated a root and issuer certificate/);
    expect((await stat(join(dir, 'issuer.key'))).mode & 0o777).toBe(0o600);
    const again = await CertificateAuthority.fromDirectory(dir, (m) => logs.push(m));
    expect(again.rootPem).toBe(first.rootPem);
    expect(logs).toHaveLength(1);
  });

  it('issues an X.509 SVID with the SPIFFE id and Service DNS name, chained to the root', async () => {
    const ca = await CertificateAuthority.generate();
    const issued = await ca.signCsr(await csrFor('orders'), { trustDomain: 'public', namespace: 'shop', appId: 'orders' }, 3_600_000, 60_000);
    const [leafPem, issuerPem] = issued.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    const leaf = new X509Certificate(leafPem);
    const issuer = new X509Certificate(issuerPem);
    const root = new X509Certificate(ca.rootPem);
    expect(leaf.subjectAltName).toBe('URI:spiffe://public/ns/shop/orders, DNS:orders.shop.svc.cluster.local');
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(issuer.publicKey)).toBe(true);
    expect(issuer.verify(root.publicKey)).toBe(true);
    expect(Date.parse(leaf.validTo) - Date.now()).toBeLessThanOrEqual(3_601_000);
    expect(Date.parse(leaf.validTo) - Date.now()).toBeGreaterThan(3_590_000);
    expect(Date.parse(leaf.validFrom)).toBeLessThan(Date.now() - 30_000);
  });

  it('refuses a CSR whose signature does not verify', async () => {
    const ca = await CertificateAuthority.generate();
    const pem = await csrFor('x');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 5] ^= 0xff;
    const broken = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    await expect(ca.signCsr(broken, { trustDomain: 'public', namespace: 'default', appId: 'x' }, 60_000, 0)).rejects.toThrow(/certificate_signing_request/);
  });

  it('refuses to start with an issuer key readable by group or others', async () => {
    const dir = await scratch();
    await CertificateAuthority.fromDirectory(dir, () => undefined);
    await chmod(join(dir, 'issuer.key'), 0o644);
    await expect(CertificateAuthority.fromDirectory(dir, () => undefined)).rejects.toThrow(/issuer\.key is readable by group or others \(mode 0644\); refusing to start/);
  });

  it('refuses an incomplete credentials directory, naming what is missing', async () => {
    const dir = await scratch();
    await CertificateAuthority.fromDirectory(dir, () => undefined);
    await rm(join(dir, 'issuer.crt'));
    await expect(CertificateAuthority.fromDirectory(dir, () => undefined)).rejects.toThrow(/issuer\.crt missing/);
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
  });
});
