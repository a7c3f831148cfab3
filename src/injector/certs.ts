import { execFile } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A CA and a serving certificate for the webhook's Service DNS names, made with the openssl command
 * (Node has no API that issues X.509 certificates). Writes ca.crt, ca.key, tls.crt and tls.key into
 * `dir`: ca.crt goes into the MutatingWebhookConfiguration's caBundle, tls.* into the injector's
 * Secret; ca.key is only needed to issue the next serving certificate under the same CA.
 */
export async function generateCerts(dir: string, service: string, namespace: string, days = 3650): Promise<string[]> {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(service)) throw new Error(`--service: "${service}" is not a Service name`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) throw new Error(`--namespace: "${namespace}" is not a namespace name`);
  await mkdir(dir, { recursive: true });
  const names = [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
  const f = (name: string) => join(dir, name);
  const openssl = (args: string[]) =>
    run('openssl', args, { timeout: 30_000 }).catch((err: NodeJS.ErrnoException & { stderr?: string }) => {
      throw new Error(err.code === 'ENOENT' ? '--generate-certs needs the openssl command on PATH' : `openssl failed: ${err.stderr || err.message}`);
    });
  const scratch = [f('tls.csr'), f('san.ext'), f('ca.srl')];
  try {
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', String(days), '-subj', '/CN=mecha-injector-ca']);
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('tls.key'), '-out', f('tls.csr'), '-subj', `/CN=${names[2]}`]);
    await writeFile(f('san.ext'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
    await openssl(['x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('tls.crt'), '-days', String(days), '-extfile', f('san.ext')]);
    await Promise.all([chmod(f('ca.key'), 0o600), chmod(f('tls.key'), 0o600)]);
  } finally {
    await Promise.all(scratch.map((file) => rm(file, { force: true })));
  }
  return [f('ca.crt'), f('ca.key'), f('tls.crt'), f('tls.key')];
}
