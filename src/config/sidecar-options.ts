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
  /** Empty: run on the embedded default components. */
  resourcesPaths: string[];
  configPaths: string[];
  logLevel: LogLevel;
  logAsJson: boolean;
  maxRequestBytes: number;
  gracefulShutdownSeconds: number;
  enableApiLogging: boolean;
  /** daprd's `--mode`: which name resolution applies when the Configuration names none. */
  mode: 'standalone' | 'kubernetes';
  metricsPort: number;
  metricsListenAddress: string;
  enableMetrics: boolean;
  /** `DAPR_API_TOKEN`: required on every API call when set. */
  apiToken?: string;
  /** `APP_API_TOKEN`: sent to the app on every call to it. */
  appApiToken?: string;
  /** Where embedded defaults keep their files (`.mecha/` in the working directory). */
  dataDir: string;
}
