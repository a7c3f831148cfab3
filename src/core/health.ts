import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';

/**
 * Readiness as daprd reports it: outbound (components loaded, API servers up) turns ready before the
 * app is reachable, so apps can call the sidecar during their own startup; full health waits for the app.
 */
export class Health {
  #outboundReady = false;
  readonly #pending = new Set<string>(['components', 'api servers', 'app channel']);

  constructor(private readonly appId: string) {}

  done(target: 'components' | 'api servers' | 'app channel'): void {
    this.#pending.delete(target);
    if (!this.#pending.has('components') && !this.#pending.has('api servers')) this.#outboundReady = true;
  }

  get ready(): boolean {
    return this.#pending.size === 0;
  }

  /** Throws unless fully ready; `appId`, when given, must be ours. */
  check(appId?: string): void {
    if (!this.ready) throw new SidecarError(Errors.HealthNotReady, `dapr is not ready: [${[...this.#pending].join(' ')}]`);
    if (appId !== undefined && appId !== this.appId) throw new SidecarError(Errors.HealthAppIdNotMatch, 'dapr app-id does not match');
  }

  checkOutbound(): void {
    if (!this.#outboundReady) throw new SidecarError(Errors.OutboundHealthNotReady, 'dapr outbound is not ready');
  }
}
