import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createRootLogger } from '../observability/logger.js';
import { VERSION } from '../version.js';
import { UsageError } from './parse-run-args.js';

export const INJECTOR_HELP = `Usage: mecha injector [flags]

The Kubernetes mutating admission webhook that adds the mecha sidecar to pods annotated
dapr.io/enabled: "true" (see deploy/kubernetes/).

Flags:
  --port <n>                    HTTPS port (default 4000)
  --listen-address <host>       address to listen on (default 0.0.0.0)
  --tls-cert-file <file>        serving certificate (default /tls/tls.crt)
  --tls-key-file <file>         its key (default /tls/tls.key)
  --sidecar-image <image>       image of the injected container (default $MECHA_SIDECAR_IMAGE or mecha:${VERSION})
  --components-configmap <name> ConfigMap mounted as the sidecar's resources (default mecha-components)
  --log-level <level>           debug, info, warn or error (default info)
  --generate-certs <dir>        write ca.crt, tls.crt and tls.key for the webhook Service, then exit
  --service <name>              with --generate-certs: the Service name (default mecha-injector)
  --namespace <ns>              with --generate-certs: its namespace (default mecha-system)`;

/** `mecha injector`: serves the webhook until SIGINT/SIGTERM, or writes certificates and exits. */
export async function injector(args: string[]): Promise<number> {
  let v;
  try {
    ({ values: v } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '4000' },
        'listen-address': { type: 'string', default: '0.0.0.0' },
        'tls-cert-file': { type: 'string', default: '/tls/tls.crt' },
        'tls-key-file': { type: 'string', default: '/tls/tls.key' },
        'sidecar-image': { type: 'string', default: process.env.MECHA_SIDECAR_IMAGE || `mecha:${VERSION}` },
        'components-configmap': { type: 'string', default: 'mecha-components' },
        'log-level': { type: 'string', default: 'info' },
        'generate-certs': { type: 'string' },
        service: { type: 'string', default: 'mecha-injector' },
        namespace: { type: 'string', default: 'mecha-system' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(`mecha injector: ${(err as Error).message}`);
  }
  if (v.help) {
    process.stdout.write(`${INJECTOR_HELP}\n`);
    return 0;
  }
  if (v['generate-certs']) {
    const { generateCerts } = await import('../injector/certs.js');
    const files = await generateCerts(v['generate-certs'], v.service!, v.namespace!);
    process.stdout.write(`${files.join('\n')}\n`);
    return 0;
  }
  const level = v['log-level']!;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level: "${level}" is not one of debug, info, warn, error`);
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port: "${v.port}" is not a port`);
  const logger = createRootLogger({ level: level as 'info', json: true, appId: 'mecha-injector' });
  const read = (flag: 'tls-cert-file' | 'tls-key-file') =>
    readFile(v[flag]!).catch((err: Error) => {
      throw new UsageError(`--${flag} ${v[flag]}: ${err.message}`);
    });
  const [cert, key] = await Promise.all([read('tls-cert-file'), read('tls-key-file')]);
  const { startWebhook } = await import('../injector/webhook.js');
  const server = await startWebhook({ cert, key }, port, v['listen-address']!, { image: v['sidecar-image']!, componentsConfigMap: v['components-configmap']! }, logger);
  logger.info({ port, image: v['sidecar-image'] }, 'injector listening');
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => resolve()));
  });
  return 0;
}
