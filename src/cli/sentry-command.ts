import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRootLogger } from '../observability/logger.js';
import { parseDuration } from '../util/duration.js';
import { UsageError } from './parse-run-args.js';

export const SENTRY_HELP = `Usage: mecha sentry [flags]

A certificate authority compatible with Dapr's Sentry: serves dapr.proto.sentry.v1.CA/SignCertificate over
TLS and signs each sidecar's CSR as its X.509 SVID (spiffe://<trust domain>/ns/<namespace>/<app id>).
Sidecars (mecha or daprd) use it with --enable-mtls --sentry-address <host:port> and DAPR_TRUST_ANCHORS set to ca.crt.

Flags:
  --issuer-credentials <dir>    ca.crt, issuer.crt and issuer.key, as daprd names them; generated there on first
                                start when none exists (default .mecha/sentry)
  --trust-domain <td>           Sentry's own trust domain, daprd's --control-plane-trust-domain (default localhost)
  --port <n>                    gRPC port (default 50001)
  --listen-address <host>       address to listen on (default 0.0.0.0)
  --workload-cert-ttl <d>       lifetime of a workload certificate, a Go duration (default 24h)
  --allowed-clock-skew <d>      how far a certificate's start is set back for clocks behind ours (default 15m)
  --mode <m>                    standalone (callers are believed, as in self-hosted Dapr) or kubernetes (service
                                account tokens checked with the API server's TokenReview); default kubernetes
                                inside a pod, else standalone
  --log-level <level>           debug, info, warn or error (default info)

Environment: NAMESPACE is Sentry's namespace (default "default"), daprd's --control-plane-namespace.`;

/** `mecha sentry`: serves the CA until SIGINT/SIGTERM. */
export async function sentry(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let v;
  try {
    ({ values: v } = parseArgs({
      args,
      options: {
        'issuer-credentials': { type: 'string', default: '.mecha/sentry' },
        'trust-domain': { type: 'string', default: 'localhost' },
        port: { type: 'string', default: '50001' },
        'listen-address': { type: 'string', default: '0.0.0.0' },
        'workload-cert-ttl': { type: 'string', default: '24h' },
        'allowed-clock-skew': { type: 'string', default: '15m' },
        mode: { type: 'string', default: env.KUBERNETES_SERVICE_HOST ? 'kubernetes' : 'standalone' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    const unknown = /Unknown option '([^']+)'/.exec((err as Error).message);
    throw new UsageError(unknown ? `sentry: unknown flag ${unknown[1]} (see mecha sentry --help)` : `sentry: ${(err as Error).message.split('\n')[0]}`);
  }
  if (v.help) {
    process.stdout.write(`${SENTRY_HELP}\n`);
    return 0;
  }
  const level = v['log-level']!;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level: "${level}" is not one of debug, info, warn, error`);
  const mode = v.mode!;
  if (mode !== 'standalone' && mode !== 'kubernetes') throw new UsageError(`--mode: "${mode}" is not one of standalone, kubernetes`);
  const port = Number(v.port);
  if (!/^\d+$/.test(v.port!) || port > 65535) throw new UsageError(`--port: "${v.port}" is not a whole number from 0 to 65535`);
  const ttlMs = positiveDuration('--workload-cert-ttl', v['workload-cert-ttl']!);
  const skewMs = parseDuration(v['allowed-clock-skew']!);
  if (skewMs === undefined || skewMs < 0 || !/[a-z]$/.test(v['allowed-clock-skew']!)) throw new UsageError(`--allowed-clock-skew: "${v['allowed-clock-skew']}" is not a Go duration such as 15m`);
  const logger = createRootLogger({ level: level as 'info', json: true, appId: 'dapr-sentry' });
  const [{ CertificateAuthority }, { startSentry }, { inClusterConfig, kubernetesTokenValidator }] = await Promise.all([
    import('../security/ca.js'),
    import('../security/sentry-server.js'),
    import('../security/token-review.js'),
  ]);
  const dir = resolve(v['issuer-credentials']!);
  let server;
  try {
    const ca = await CertificateAuthority.fromDirectory(dir, (msg) => logger.info(msg));
    const kubernetesValidator = mode === 'kubernetes' ? kubernetesTokenValidator(inClusterConfig(env)) : undefined;
    const options = { ca, trustDomain: v['trust-domain']!, namespace: env.NAMESPACE || 'default', workloadTtlMs: ttlMs, allowedClockSkewMs: skewMs, mode, kubernetesValidator } as const;
    server = await startSentry(options, port, v['listen-address']!, logger);
  } catch (err) {
    logger.error(`sentry cannot start: ${(err as Error).message}`);
    return 1;
  }
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close().then(done));
  });
  return 0;
}

function positiveDuration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0 || !/[a-z]$/.test(text)) throw new UsageError(`${flag}: "${text}" is not a positive Go duration such as 24h`);
  return ms;
}
