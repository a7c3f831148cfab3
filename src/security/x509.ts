// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API installed
// first; importing both here, in this order, is the one way the rest of src/security reaches the library.
import 'reflect-metadata';
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** ECDSA P-256 with SHA-256: what Sentry and daprd use for every key and signature. */
export const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const EC_SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

export function newKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** A key pair as PEM PKCS#8, the form Node's tls and grpc-js take. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** A signing key from PEM, in SEC1 ("EC PRIVATE KEY") or PKCS#8 form, as Sentry's issuer.key may be either. */
export async function importSigningKey(pem: string): Promise<CryptoKey> {
  const key = createPrivateKey(pem);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const namedCurve = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : undefined;
  if (key.asymmetricKeyType !== 'ec' || !namedCurve) throw new Error('the key is not an ECDSA P-256 or P-384 key');
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return (await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve }, false, ['sign'])) as CryptoKey;
}

/** Every certificate of a PEM bundle, in order. */
export function splitPem(pem: string | Buffer): string[] {
  return String(pem).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
