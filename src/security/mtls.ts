import { X509Certificate } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { experimental, type Server, type ChannelCredentials, type ChannelOptions, type ServerCredentials } from '@grpc/grpc-js';
import type { SecureClientSessionOptions } from 'node:http2';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Caller } from '../core/invocation/types.js';
import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import type { PeerAuth, PeerSecurity, PeerTarget } from '../transports/grpc/peer-security.js';
import { RotatingIdentity } from './rotating-identity.js';
import { requestSvid } from './sentry-client.js';
import { peerMismatch, sentryId, spiffeIdOfAltNames, spiffeUri, type SpiffeId } from './spiffe.js';
import { splitPem } from './x509.js';

/** What a sidecar needs for mTLS: daprd's flags and environment variables, resolved. */
export interface MtlsSettings {
  trustAnchorsPem: string;
  sentryAddress?: string;
  controlPlaneTrustDomain: string;
  controlPlaneNamespace: string;
  /** DAPR_CERT_CHAIN / DAPR_CERT_KEY: a certificate given up front, used as is instead of asking Sentry. */
  staticCertificate?: { chainPem: string; keyPem: string };
  tokenFile?: string;
  appId: string;
  namespace: string;
  /** The Configuration's access-control trust domain (`public` by default). */
  trustDomain: string;
  /** Trust domains whose sidecars may call us besides our own: those the access-control policies name. */
  acceptedTrustDomains: readonly string[];
}

/**
 * This sidecar's X.509 SVID (from Sentry, renewed before expiry) applied to the internal API: the port
 * asks every caller for its certificate, and each call to another sidecar checks that it is the app meant.
 */
export class SidecarMtls implements PeerSecurity {
  readonly #accepted: Set<string>;
  #server?: ServerCredentials;
  /** One set of channel credentials per target identity (gRPC proxying asks on every call). */
  readonly #channels = new Map<string, { credentials: ChannelCredentials; options: ChannelOptions }>();

  private constructor(
    readonly id: SpiffeId,
    private readonly identity: RotatingIdentity,
    private readonly logger: Logger,
    accepted: readonly string[],
  ) {
    this.#accepted = new Set([id.trustDomain, ...accepted]);
  }

  static async start(s: MtlsSettings, logger: Logger): Promise<SidecarMtls> {
    if (splitPem(s.trustAnchorsPem).length === 0) throw new Error('DAPR_TRUST_ANCHORS: no PEM certificate in it');
    let id: SpiffeId | undefined;
    const obtain = async () => {
      if (s.staticCertificate) {
        const [first] = splitPem(s.staticCertificate.chainPem);
        if (!first) throw new Error('DAPR_CERT_CHAIN: no PEM certificate in it');
        const leaf = new X509Certificate(first);
        id = spiffeIdOfAltNames(leaf.subjectAltName);
        if (!id) throw new Error('DAPR_CERT_CHAIN: its first certificate carries no SPIFFE id');
        return { ...s.staticCertificate, notAfter: new Date(leaf.validTo) };
      }
      if (!s.sentryAddress) throw new Error('--enable-mtls needs --sentry-address (or DAPR_CERT_CHAIN and DAPR_CERT_KEY)');
      const svid = await requestSvid({
        sentryAddress: s.sentryAddress,
        trustAnchorsPem: s.trustAnchorsPem,
        sentry: sentryId(s.controlPlaneTrustDomain, s.controlPlaneNamespace),
        appId: s.appId,
        namespace: s.namespace,
        trustDomain: s.trustDomain === 'public' ? '' : s.trustDomain,
        tokenFile: s.tokenFile,
      });
      id = svid.id;
      return svid;
    };
    const identity = s.staticCertificate ? RotatingIdentity.fixed(s.trustAnchorsPem, await obtain(), logger) : await RotatingIdentity.start(s.trustAnchorsPem, obtain, logger, 'mTLS workload');
    logger.info({ id: spiffeUri(id!) }, `mTLS on: sidecar-to-sidecar calls use the identity ${spiffeUri(id!)}`);
    return new SidecarMtls(id!, identity, logger, s.acceptedTrustDomains);
  }

  /**
   * TLS asks every caller for a certificate and checks it against the trust anchors; refusing a failed
   * check is left to refuseUnverified, which can say why (Node's own refusal only hangs up).
   */
  serverCredentials(): ServerCredentials {
    this.#server ??= experimental.createCertificateProviderServerCredentials(this.identity, this.identity, false);
    return this.#server;
  }

  channel(target: PeerTarget): { credentials: ChannelCredentials; options: ChannelOptions } {
    const name = serviceName(target);
    let channel = this.#channels.get(name);
    if (!channel) {
      const credentials = experimental.createCertificateProviderChannelCredentials(this.identity, this.identity, { checkServerIdentity: (_host, cert) => this.#checkServer(target, cert) });
      // The Service-style DNS name in every SVID: keeps Node from sending an IP address as the TLS server name.
      this.#channels.set(name, (channel = { credentials, options: { 'grpc.ssl_target_name_override': name } }));
    }
    return channel;
  }

  session(target: PeerTarget): SecureClientSessionOptions {
    return { ...this.identity.tlsOptions(), servername: serviceName(target), ALPNProtocols: ['h2'], checkServerIdentity: (_host, cert) => this.#checkServer(target, cert) };
  }

  callerOf(auth: PeerAuth): Caller {
    const cert = auth?.sslPeerCertificate;
    const id = spiffeIdOfAltNames(cert?.subjectaltname);
    if (!id) return this.#refuse(`a caller presented no SPIFFE id (${cert?.subjectaltname ?? 'no certificate'})`);
    if (!this.#accepted.has(id.trustDomain)) {
      return this.#refuse(`refused a call from ${spiffeUri(id)}: trust domain "${id.trustDomain}" is not ours ("${this.id.trustDomain}") nor named by an access control policy`);
    }
    return { appId: id.appId, namespace: id.namespace, trustDomain: id.trustDomain };
  }

  /**
   * Closes every connection to `server` whose client certificate did not verify (none, another CA's, an
   * expired one) before it carries a call, logging why. Must follow each bind with serverCredentials():
   * grpc-js keeps its HTTP/2 servers private, and without them the port would take unverified callers,
   * so their absence stops the start.
   */
  refuseUnverified(server: Server): void {
    const servers = (server as unknown as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers;
    if (!servers?.size) throw new Error('mTLS: this @grpc/grpc-js version does not expose its HTTP/2 servers; refusing to serve the internal port');
    for (const http2Server of servers.keys()) {
      http2Server.prependListener('secureConnection', (socket: TLSSocket) => {
        if (socket.authorized && Object.keys(socket.getPeerCertificate()).length > 0) return;
        this.logger.warn(`mTLS: refused a connection from ${socket.remoteAddress}:${socket.remotePort}: ${socket.authorizationError ?? 'no client certificate'}`);
        socket.destroy();
      });
    }
  }

  close(): void {
    this.identity.close();
  }

  #checkServer(target: PeerTarget, cert: PeerCertificate): Error | undefined {
    const wrong = peerMismatch(cert.subjectaltname, { trustDomain: this.id.trustDomain, namespace: target.namespace || 'default', appId: target.appId });
    if (!wrong) return undefined;
    this.logger.warn(`mTLS: refused the sidecar answering for app "${target.appId}": ${wrong}`);
    return new Error(`mTLS: ${wrong}`);
  }

  #refuse(why: string): never {
    this.logger.warn(`mTLS: ${why}`);
    throw new SidecarError(Errors.DirectInvokeUnauthenticated, why);
  }
}

function serviceName(t: PeerTarget): string {
  return `${t.appId}.${t.namespace || 'default'}.svc.cluster.local`;
}
