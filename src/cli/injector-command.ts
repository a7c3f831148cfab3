import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { MtlsInjection } from '../injector/sidecar-patch.js';
import { createRootLogger } from '../observability/logger.js';
import { VERSION } from '../version.js';
import { UsageError } from './parse-run-args.js';

export const INJECTOR_HELP = `Usage: mecha injector [flags]

The Kubernetes mutating admission webhook that adds the mecha sidecar to pods annotated
dapr.io/enabled: "true" (see deploy/kubernetes/).

Flags (environment variables, as Dapr's injector reads them, stand in for omitted flags):
  --port <n>                        HTTPS port (default 4000)
  --listen-address <host>           address to listen on (default 0.0.0.0)
  --tls-cert-file <file>            serving certificate, PEM ($TLS_CERT_FILE, default /tls/tls.crt)
  --tls-key-file <file>             its key, PEM ($TLS_KEY_FILE, default /tls/tls.key)
  --tls-reload-seconds <n>          how often both files are read again for a renewed certificate (default 60)
  --sidecar-image <image>           image of the injected container ($SIDECAR_IMAGE, default mecha:${VERSION})
  --sidecar-image-pull-policy <p>   Always, IfNotPresent or Never ($SIDECAR_IMAGE_PULL_POLICY, default IfNotPresent)
  --components-configmap <name>     ConfigMap of the pod's namespace mounted as the sidecar's resources (default mecha-components)
  --log-level <level>               debug, info, warn or error (default info)
  --sentry-address <host:port>      give injected sidecars mTLS with certificates from this Sentry ($SENTRY_ADDRESS; default: no mTLS)
  --trust-anchors-file <file>       with --sentry-address: the CA's ca.crt, injected as DAPR_TRUST_ANCHORS (default /trust/ca.crt)
  --control-plane-namespace <ns>    with --sentry-address: Sentry's namespace, part of the identity sidecars check (default mecha-system)
  --control-plane-trust-domain <td> with --sentry-address: Sentry's trust domain (default localhost)
  --generate-certs <dir>            write ca.crt, ca.key, tls.crt and tls.key for the webhook Service, and a Sentry CA
                                    (sentry/ca.crt, sentry/issuer.crt, sentry/issuer.key), then exit (needs openssl)
  --service <name>                  with --generate-certs: the Service name (default mecha-injector)
  --namespace <ns>                  with --generate-certs: its namespace (default mecha-system)`;

/** `mecha injector`: serves the webhook until SIGINT/SIGTERM, or writes certificates and exits. */
export async function injector(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let v;
  try {
    ({ values: v } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '4000' },
        'listen-address': { type: 'string', default: '0.0.0.0' },
        'tls-cert-file': { type: 'string', default: env.TLS_CERT_FILE || '/tls/tls.crt' },
        'tls-key-file': { type: 'string', default: env.TLS_KEY_FILE || '/tls/tls.key' },
        'tls-reload-seconds': { type: 'string', default: '60' },
        'sidecar-image': { type: 'string', default: env.SIDECAR_IMAGE || `mecha:${VERSION}` },
        'sidecar-image-pull-policy': { type: 'string', default: env.SIDECAR_IMAGE_PULL_POLICY || 'IfNotPresent' },
        'components-configmap': { type: 'string', default: 'mecha-components' },
        'log-level': { type: 'string', default: 'info' },
        'generate-certs': { type: 'string' },
        'sentry-address': { type: 'string', default: env.SENTRY_ADDRESS || undefined },
        'trust-anchors-file': { type: 'string', default: '/trust/ca.crt' },
        'control-plane-namespace': { type: 'string', default: 'mecha-system' },
        'control-plane-trust-domain': { type: 'string', default: 'localhost' },
        service: { type: 'string', default: 'mecha-injector' },
        namespace: { type: 'string', default: 'mecha-system' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    const unknown = /Unknown option '([^']+)'/.exec((err as Error).message);
    throw new UsageError(unknown ? `injector: unknown flag ${unknown[1]} (see mecha injector --help)` : `injector: ${(err as Error).message.split('\n')[0]}`);
  }
  if (v.help) {
    process.stdout.write(`${INJECTOR_HELP}\n`);
    return 0;
  }
  if (v['generate-certs']) {
    const { generateCerts } = await import('../injector/certs.js');
    const files = await generateCerts(v['generate-certs'], v.service!, v.namespace!);
    const { CertificateAuthority, CA_FILES } = await import('../security/ca.js');
    const sentryDir = join(v['generate-certs'], 'sentry');
    await CertificateAuthority.fromDirectory(sentryDir, () => undefined);
    files.push(...[CA_FILES.root, CA_FILES.issuer, CA_FILES.issuerKey].map((f) => join(sentryDir, f)));
    process.stdout.write(`${files.join('\n')}\n`);
    return 0;
  }
  const level = v['log-level']!;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level: "${level}" is not one of debug, info, warn, error`);
  const port = wholeNumber('--port', v.port!, 1, 65535);
  const reloadSeconds = wholeNumber('--tls-reload-seconds', v['tls-reload-seconds']!, 1, 86_400);
  const pullPolicy = v['sidecar-image-pull-policy']!;
  if (!['Always', 'IfNotPresent', 'Never'].includes(pullPolicy)) throw new UsageError(`--sidecar-image-pull-policy: "${pullPolicy}" is not one of Always, IfNotPresent, Never`);
  const logger = createRootLogger({ level: level as 'info', json: true, appId: 'mecha-injector' });
  const { startWebhook } = await import('../injector/webhook.js');
  const tls = { certFile: v['tls-cert-file']!, keyFile: v['tls-key-file']!, reloadMs: reloadSeconds * 1000 };
  const mtls = v['sentry-address'] ? await mtlsInjection(v['sentry-address'], v['trust-anchors-file']!, v['control-plane-namespace']!, v['control-plane-trust-domain']!) : undefined;
  const options = { image: v['sidecar-image']!, imagePullPolicy: pullPolicy, componentsConfigMap: v['components-configmap']!, mtls };
  const webhook = await startWebhook(tls, port, v['listen-address']!, options, logger).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'EACCES') throw new UsageError(`--tls-cert-file/--tls-key-file: ${err.message}`);
      throw err;
    },
  );
  logger.info({ port, image: v['sidecar-image'], componentsConfigMap: v['components-configmap'], sentryAddress: mtls?.sentryAddress }, 'injector listening');
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void webhook.close().then(resolve));
  });
  return 0;
}

/** The trust anchors are read once: a new root means restarting the injector (and every sidecar). */
async function mtlsInjection(sentryAddress: string, anchorsFile: string, controlPlaneNamespace: string, controlPlaneTrustDomain: string): Promise<MtlsInjection> {
  const trustAnchors = await readFile(anchorsFile, 'utf8').catch((err: Error) => {
    throw new UsageError(`--trust-anchors-file: ${err.message}`);
  });
  if (!trustAnchors.includes('BEGIN CERTIFICATE')) throw new UsageError(`--trust-anchors-file: ${anchorsFile} holds no PEM certificate`);
  return { sentryAddress, trustAnchors, controlPlaneNamespace, controlPlaneTrustDomain };
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${flag}: "${text}" is not a whole number from ${min} to ${max}`);
  return n;
}
