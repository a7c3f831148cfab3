import type { experimental } from '@grpc/grpc-js';
import type { Logger } from 'pino';

type CertificateProvider = experimental.CertificateProvider;
type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** A certificate with its key, as PEM, and when it expires. */
export interface Credentials {
  chainPem: string;
  keyPem: string;
  notAfter: Date;
}

/** daprd renews a workload certificate once 70% of its lifetime has passed. */
const RENEW_AT = 0.7;
const RETRY_MS = 10_000;
/** The longest delay setTimeout takes; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One workload's current certificate and the trust anchors, handed to grpc-js (a CertificateProvider, so
 * servers and channels pick up a renewed certificate for their next handshake) and to node:tls users.
 * Renews itself before expiry; connections already open are left alone, so calls in flight never drop.
 */
export class RotatingIdentity implements CertificateProvider {
  #current: Credentials;
  readonly #trustAnchors: Buffer;
  readonly #caListeners = new Set<CaListener>();
  readonly #identityListeners = new Set<IdentityListener>();
  #timer?: NodeJS.Timeout;
  #stopped = false;

  private constructor(
    first: Credentials,
    trustAnchorsPem: string,
    private readonly renew: () => Promise<Credentials>,
    private readonly logger: Logger,
    private readonly what: string,
  ) {
    this.#current = first;
    this.#trustAnchors = Buffer.from(trustAnchorsPem);
  }

  /** Gets the first certificate and keeps it renewed until close(). */
  static async start(trustAnchorsPem: string, obtain: () => Promise<Credentials>, logger: Logger, what: string): Promise<RotatingIdentity> {
    const identity = new RotatingIdentity(await obtain(), trustAnchorsPem, obtain, logger, what);
    identity.#schedule();
    return identity;
  }

  /** A certificate given up front (DAPR_CERT_CHAIN / DAPR_CERT_KEY): used as is, never renewed. */
  static fixed(trustAnchorsPem: string, credentials: Credentials, logger: Logger): RotatingIdentity {
    return new RotatingIdentity(credentials, trustAnchorsPem, () => Promise.resolve(credentials), logger, 'given certificate');
  }

  /** Options for node:tls / node:http2 connections: the current certificate and the trust anchors. */
  tlsOptions(): { ca: Buffer; cert: string; key: string } {
    return { ca: this.#trustAnchors, cert: this.#current.chainPem, key: this.#current.keyPem };
  }

  close(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(delayMs?: number): void {
    if (this.#stopped) return;
    const remaining = this.#current.notAfter.getTime() - Date.now();
    const delay = Math.min(MAX_TIMER_MS, delayMs ?? Math.max(0, remaining * RENEW_AT));
    if (delayMs === undefined) {
      this.logger.info({ expires: this.#current.notAfter.toISOString(), renewInMs: Math.round(delay) }, `${this.what}: certificate valid until ${this.#current.notAfter.toISOString()}`);
    }
    // A timer cut short by MAX_TIMER_MS renews early, which is harmless.
    this.#timer = setTimeout(() => void this.#renew(), delay);
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    try {
      this.#current = await this.renew();
    } catch (err) {
      const remaining = this.#current.notAfter.getTime() - Date.now();
      const retryMs = Math.max(100, Math.min(RETRY_MS, remaining / 4));
      this.logger.error(`${this.what}: renewing the certificate failed, trying again in ${Math.round(retryMs)} ms: ${(err as Error).message}`);
      return this.#schedule(retryMs);
    }
    const update = { certificate: Buffer.from(this.#current.chainPem), privateKey: Buffer.from(this.#current.keyPem) };
    for (const listener of this.#identityListeners) listener(update);
    this.#schedule();
  }

  addCaCertificateListener(listener: CaListener): void {
    this.#caListeners.add(listener);
    // Not synchronously: grpc-js servers subscribe before they register the watcher the update must reach.
    queueMicrotask(() => this.#caListeners.has(listener) && listener({ caCertificate: this.#trustAnchors }));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#identityListeners.add(listener);
    queueMicrotask(() => this.#identityListeners.has(listener) && listener({ certificate: Buffer.from(this.#current.chainPem), privateKey: Buffer.from(this.#current.keyPem) }));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identityListeners.delete(listener);
  }
}
