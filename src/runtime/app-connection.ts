import type { Logger } from 'pino';
import type { SidecarOptions } from '../config/sidecar-options.js';
import type { LocalApp } from '../core/invocation/types.js';
import { HttpAppChannel } from './app-channel.js';
import { grpcBindingReceiver, httpBindingReceiver, type BindingReceiver } from './binding-receivers.js';
import { AppHealth } from './app-health.js';
import { GrpcAppChannel } from './grpc-app-channel.js';
import { grpcEventChannel, type EventChannel } from './grpc-event-channel.js';
import { httpLocalApp } from './invocation-adapters.js';

/** How the sidecar reaches its app, by `--app-protocol`; empty without `--app-port`. */
export interface AppConnection {
  /** HTTP apps only: the raw channel (configuration callbacks, input bindings, /dapr/config). */
  http?: HttpAppChannel;
  grpc?: GrpcAppChannel;
  /** For service invocation. */
  localApp?: LocalApp;
  /** For pub/sub: HTTP apps directly, gRPC apps through the AppCallback translation. */
  events?: EventChannel;
  /** For input bindings. */
  bindings?: BindingReceiver;
  health?: AppHealth;
}

export function connectToApp(o: SidecarOptions, logger: Logger): AppConnection {
  if (o.appPort === undefined) return {};
  const log = logger.child({ scope: 'app-health' });
  if (o.appProtocol.startsWith('grpc')) {
    const grpc = new GrpcAppChannel(o.appChannelAddress, o.appPort, o.appApiToken, o.maxRequestBytes);
    const health = o.appHealthCheck && new AppHealth((ms) => grpc.healthy(ms), o.appHealthCheck, log);
    return { grpc, localApp: grpc, events: grpcEventChannel(grpc), bindings: grpcBindingReceiver(grpc), health: health || undefined };
  }
  const http = new HttpAppChannel(o.appChannelAddress, o.appPort, o.appApiToken, o.appMaxConcurrency);
  const check = o.appHealthCheck;
  const probe = (timeoutMs: number) => http.invoke({ method: 'GET', path: check!.path, timeoutMs, healthProbe: true }).then((r) => r.status >= 200 && r.status < 300, () => false);
  return { http, localApp: httpLocalApp(http), events: http, bindings: httpBindingReceiver(http), health: check ? new AppHealth(probe, check, log) : undefined };
}
