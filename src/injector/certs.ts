import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A CA and a serving certificate for the webhook's Service DNS names, with the openssl CLI (Node has no
 * X.509 issuing API). Writes ca.crt, tls.crt and tls.key into `dir`; the CA goes into the
 * MutatingWebhookConfiguration's caBundle, tls.* into the injector's Secret.
 */
export async function generateCerts(dir: string, service: string, namespace: string, days = 3650): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names = [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
  const f = (name: string) => join(dir, name);
  const openssl = (args: string[]) => run('openssl', args, { timeout: 30_000 }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? '--generate-certs needs the openssl command on PATH' : `openssl failed: ${(err as { stderr?: string }).stderr ?? err.message}`);
  });
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', String(days), '-subj', '/CN=mecha-injector-ca']);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('tls.key'), '-out', f('tls.csr'), '-subj', `/CN=${names[2]}`]);
  await writeFile(f('san.ext'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
  await openssl(['x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('tls.crt'), '-days', String(days), '-extfile', f('san.ext')]);
  return [f('ca.crt'), f('tls.crt'), f('tls.key')];
}
