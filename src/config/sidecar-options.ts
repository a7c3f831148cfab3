import type { LogLevel } from '../observability/logger.js';

/** Everything the sidecar is started with: flags plus the environment variables daprd reads. */
export interface SidecarOptions {
  appId: string;
  appPort?: number;
  appProtocol: string;
  appChannelAddress: string;
  appMaxConcurrency: number;
  /** Set when `--enable-app-health-check` is on. */
  appHealthCheck?: { path: string; intervalMs: number; timeoutMs: number; threshold: number };
  httpPort: number;
  grpcPort: number;
  internalGrpcPort?: number;
  internalGrpcListenAddress?: string;
  listenAddresses: string[];
  /** `--dapr-public-port`: an extra listener serving only health and metadata; undefined: none. */
  publicPort?: number;
  publicListenAddress?: string;
  /** `--allowed-origins`: CORS origins of the HTTP API; `['*']` adds no CORS headers (as daprd). */
  allowedOrigins: string[];
  /** Empty: run on the embedded default components. */
  resourcesPaths: string[];
  configPaths: string[];
  logLevel: LogLevel;
  logAsJson: boolean;
  maxRequestBytes: number;
  /** `--read-buffer-size`: the request line and headers of an HTTP API request may take this plus 4 KiB, as in daprd. */
  maxHeaderBytes: number;
  gracefulShutdownSeconds: number;
  /** `--dapr-block-shutdown-duration`: on SIGTERM, keep serving this long or until the app turns unhealthy. */
  blockShutdownMs?: number;
  enableApiLogging: boolean;
  /** `--disable-hot-reload`: resources are read at startup only (the Configuration feature `HotReload` can say so too). */
  disableHotReload?: boolean;
  /** daprd's `--mode`: which name resolution applies when the Configuration names none. */
  mode: 'standalone' | 'kubernetes';
  metricsPort: number;
  metricsListenAddress: string;
  enableMetrics: boolean;
  /** `DAPR_API_TOKEN`: required on every API call when set. */
  apiToken?: string;
  /** `APP_API_TOKEN`: sent to the app on every call to it. */
  appApiToken?: string;
  /** `--enable-mtls` and what it needs (daprd's flags and environment variables); undefined: plaintext between sidecars. */
  mtls?: MtlsOptions;
  /** Where embedded defaults keep their files (`.mecha/` in the working directory). */
  dataDir: string;
}

export interface MtlsOptions {
  /** DAPR_TRUST_ANCHORS: the PEM root(s) every sidecar and Sentry certificate must chain to. */
  trustAnchorsPem: string;
  sentryAddress?: string;
  controlPlaneTrustDomain: string;
  controlPlaneNamespace: string;
  /** DAPR_CERT_CHAIN and DAPR_CERT_KEY: a certificate given up front instead of one from Sentry. */
  certificate?: { chainPem: string; keyPem: string };
  /** DAPR_SENTRY_TOKEN_FILE (or Kubernetes' projected token for Sentry): proof of identity sent to Sentry. */
  tokenFile?: string;
}

/** The sidecar's namespace as daprd names it: `NAMESPACE`, or `default` in self-hosted mode without it. */
export function ownNamespace(env: NodeJS.ProcessEnv = process.env): string {
  return env.NAMESPACE || 'default';
}
