import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/security/ca.js';
import { requestSvid, type SentryRequest } from '../../src/security/sentry-client.js';
import { startSentry } from '../../src/security/sentry-server.js';
import { kubernetesTokenValidator } from '../../src/security/token-review.js';
import { EC_SIGNING, newKeyPair, privateKeyPem, x509 } from '../../src/security/x509.js';

const dir = mkdtempSync(join(tmpdir(), 'mecha-sentry-'));
const logger = pino({ level: 'silent' });
const SENTRY_ID = { trustDomain: 'localhost', namespace: 'default', appId: 'dapr-sentry' };
const reviews: Array<{ authorization?: string; token: string; audiences: string[] }> = [];
let apiServer: https.Server;
let ca: CertificateAuthority;
let standalone: { port: number; close(): Promise<void> };
let kubernetes: { port: number; close(): Promise<void> };

/**
 * The two Kubernetes API calls Sentry's validator makes, answered by a stand-in API server on loopback:
 * TokenReview knows three tokens, and the pod orders-abc of namespace shop has the app id "orders".
 */
function fakeApiServer(cert: string, key: string): https.Server {
  return https.createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/apis/authentication.k8s.io/v1/tokenreviews') {
        const spec = (JSON.parse(Buffer.concat(chunks).toString()) as { spec: { token: string; audiences: string[] } }).spec;
        reviews.push({ authorization: req.headers.authorization, ...spec });
        const users: Record<string, object> = {
          'orders-token': { username: 'system:serviceaccount:shop:orders', extra: { 'authentication.kubernetes.io/pod-name': ['orders-abc'] } },
          'user-token': { username: 'jane@example.com' },
        };
        const user = users[spec.token];
        return res.end(JSON.stringify({ kind: 'TokenReview', status: user ? { authenticated: true, user } : { authenticated: false, error: 'token expired' } }));
      }
      if (req.method === 'GET' && req.url === '/api/v1/namespaces/shop/pods/orders-abc') {
        return res.end(JSON.stringify({ kind: 'Pod', metadata: { name: 'orders-abc', annotations: { 'dapr.io/app-id': 'orders' } } }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
}

beforeAll(async () => {
  const keys = await newKeyPair();
  const serving = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=kubernetes',
    keys,
    signingAlgorithm: EC_SIGNING,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const servingPem = serving.toString('pem');
  apiServer = fakeApiServer(servingPem, await privateKeyPem(keys.privateKey));
  await new Promise<void>((r) => apiServer.listen(0, '127.0.0.1', r));
  writeFileSync(join(dir, 'token'), 'sentry-own-token\n');
  writeFileSync(join(dir, 'ca.crt'), servingPem);
  const apiPort = (apiServer.address() as { port: number }).port;
  const validator = kubernetesTokenValidator({ host: '127.0.0.1', port: String(apiPort), tokenFile: join(dir, 'token'), caFile: join(dir, 'ca.crt') });
  ca = await CertificateAuthority.generate();
  const common = { ca, trustDomain: 'localhost', namespace: 'default', workloadTtlMs: 3_600_000, allowedClockSkewMs: 60_000 };
  standalone = await startSentry({ ...common, mode: 'standalone' }, 0, '127.0.0.1', logger);
  kubernetes = await startSentry({ ...common, mode: 'kubernetes', kubernetesValidator: validator }, 0, '127.0.0.1', logger);
});

afterAll(async () => {
  await Promise.all([standalone?.close(), kubernetes?.close(), new Promise((r) => apiServer?.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

const ask = (port: number, over: Partial<SentryRequest>) =>
  requestSvid({ sentryAddress: `127.0.0.1:${port}`, trustAnchorsPem: ca.rootPem, sentry: SENTRY_ID, appId: 'orders', namespace: 'shop', trustDomain: '', ...over });

const tokenFile = (token: string) => {
  const file = join(dir, `sa-${token}`);
  writeFileSync(file, token);
  return file;
};

describe('sentry, standalone', () => {
  it('signs the id and namespace asked for, in trust domain public unless another is asked for', async () => {
    expect((await ask(standalone.port, {})).id).toEqual({ trustDomain: 'public', namespace: 'shop', appId: 'orders' });
    expect((await ask(standalone.port, { trustDomain: 'acme' })).id).toEqual({ trustDomain: 'acme', namespace: 'shop', appId: 'orders' });
  });

  it('is refused by a client expecting another Sentry identity', async () => {
    await expect(ask(standalone.port, { sentry: { ...SENTRY_ID, namespace: 'dapr-system' } })).rejects.toThrow(/is not spiffe:\/\/localhost\/ns\/dapr-system\/dapr-sentry/);
  });

  it('refuses an app id that cannot be a SPIFFE path segment', async () => {
    await expect(ask(standalone.port, { appId: 'a/b' })).rejects.toThrow(/INVALID_ARGUMENT: app id "a\/b" cannot be a SPIFFE id path segment/);
  });
});

describe('sentry, Kubernetes mode (TokenReview)', () => {
  it("signs for a service account token of the namespace, whose pod carries the app id, sending the token for Sentry's audience", async () => {
    const svid = await ask(kubernetes.port, { tokenFile: tokenFile('orders-token') });
    expect(svid.id).toEqual({ trustDomain: 'public', namespace: 'shop', appId: 'orders' });
    expect(reviews.at(-1)).toEqual({ authorization: 'Bearer sentry-own-token', token: 'orders-token', audiences: ['dapr.io/sentry'] });
  });

  it('refuses another app id than the pod has, another namespace, a token the API server rejects, a user, and no token', async () => {
    await expect(ask(kubernetes.port, { tokenFile: tokenFile('orders-token'), appId: 'payments' })).rejects.toThrow(/PERMISSION_DENIED: token: pod shop\/orders-abc has app id "orders", not "payments"/);
    await expect(ask(kubernetes.port, { tokenFile: tokenFile('orders-token'), namespace: 'billing' })).rejects.toThrow(/its service account is in namespace "shop", not "billing"/);
    await expect(ask(kubernetes.port, { tokenFile: tokenFile('stale-token') })).rejects.toThrow(/the API server did not authenticate it: token expired/);
    await expect(ask(kubernetes.port, { tokenFile: tokenFile('user-token') })).rejects.toThrow(/belongs to "jane@example.com", not to a service account/);
    await expect(ask(kubernetes.port, {})).rejects.toThrow(/a service account token is required in Kubernetes mode/);
  });
});
