import { credentials, loadPackageDefinition, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/security/ca.js';
import { requestSvid } from '../../src/security/sentry-client.js';
import { newKeyPair, privateKeyPem } from '../../src/security/x509.js';
import { daprClient } from '../support/grpc-client.js';
import { internalClient, tlsCredentials } from '../support/internal-client.js';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { startSentry, type SentryProcess } from '../support/sentry-process.js';

const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
const GRPC_APP = fileURLToPath(new URL('../support/grpc-echo-app.mjs', import.meta.url));
const GREETER_PROTO = fileURLToPath(new URL('../support/greeter.proto', import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const cwd = mkdtempSync(join(tmpdir(), 'mecha-mtls-'));
const CERTS = join(cwd, 'certs');

let sentry: SentryProcess;
let caller: MechaProcess;
let callee: MechaProcess;
let grpcCallee: MechaProcess;
let strict: MechaProcess;
const internalPorts: Record<string, number> = {};

type Greeter = Client & { SayHello(req: object, md: Metadata, cb: (err: ServiceError | null, res: { message: string; caller: string }) => void): void };

async function sidecar(appId: string, app?: { path: string; protocol: string }, extra: string[] = []): Promise<MechaProcess> {
  internalPorts[appId] = await freePort();
  const appArgs = app ? ['--app-port', String(await freePort()), '--app-protocol', app.protocol] : [];
  const launch = app ? ['--', process.execPath, app.path] : [];
  return startMecha(
    ['--app-id', appId, '--enable-mtls', '--sentry-address', sentry.address, '--dapr-internal-grpc-port', String(internalPorts[appId]), ...appArgs, ...extra, ...launch],
    { cwd, env: { HOME, DAPR_TRUST_ANCHORS: sentry.trustAnchors }, readyPath: app ? '/v1.0/healthz' : undefined },
  );
}

/** An SVID from our Sentry for any app id and trust domain: what a sidecar would hold. */
const svid = (appId: string, trustDomain = '') =>
  requestSvid({ sentryAddress: sentry.address, trustAnchorsPem: sentry.trustAnchors, sentry: { trustDomain: 'localhost', namespace: 'default', appId: 'dapr-sentry' }, appId, namespace: 'default', trustDomain });

beforeAll(async () => {
  sentry = await startSentry(CERTS, ['--workload-cert-ttl', '1h', '--allowed-clock-skew', '1m']);
  const policy = join(cwd, 'strict.yaml');
  writeFileSync(
    policy,
    `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: { name: strict }
spec:
  accessControl:
    defaultAction: deny
    trustDomain: public
    policies:
      - appId: caller
        defaultAction: allow
        namespace: default
`,
  );
  [caller, callee, grpcCallee, strict] = await Promise.all([
    sidecar('caller'),
    sidecar('callee', { path: ECHO_APP, protocol: 'http' }),
    sidecar('grpc-callee', { path: GRPC_APP, protocol: 'grpc' }),
    sidecar('strict', { path: ECHO_APP, protocol: 'http' }, ['--config', policy]),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([caller?.stop(), callee?.stop(), grpcCallee?.stop(), strict?.stop()]);
  await sentry?.stop();
  rmSync(HOME, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

describe('mTLS between sidecars', () => {
  it('gives each sidecar its SPIFFE identity from Sentry', () => {
    expect(callee.output()).toContain('sidecar-to-sidecar calls use the identity spiffe://public/ns/default/callee');
    expect(sentry.output()).toContain('issued a workload certificate for spiffe://public/ns/default/caller');
  });

  it('carries HTTP invocation, the callee learning the caller from its certificate', async () => {
    const res = await fetch(`${caller.url}/v1.0/invoke/callee/method/orders/7`, { method: 'POST', body: 'hi', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as { app: string; body: string; headers: Record<string, string> };
    expect(echo).toMatchObject({ app: 'callee', body: 'hi' });
    expect(echo.headers['dapr-caller-app-id']).toBe('caller');
    // A streamed body (no length) goes through CallLocalStream on grpc-js's TLS channel.
    const streamed = await fetch(`${caller.url}/v1.0/invoke/callee/method/stream`, {
      method: 'POST',
      body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('chunked')), c.close()) }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(200);
    expect(((await streamed.json()) as { body: string }).body).toBe('chunked');
  });

  it('carries gRPC InvokeService and gRPC proxying', async () => {
    const dapr = daprClient(caller.grpcPort);
    try {
      const res = await dapr.call<{ data: { value: Buffer } }>('InvokeService', {
        id: 'callee',
        message: { method: 'grpc-path', data: { type_url: '', value: Buffer.from('g') }, content_type: 'text/plain', http_extension: { verb: 'POST', querystring: '' } },
      });
      expect(JSON.parse(res.data.value.toString())).toMatchObject({ app: 'callee', url: '/grpc-path', body: 'g' });
    } finally {
      dapr.close();
    }
    const Ctor = (loadPackageDefinition(loadSync(GREETER_PROTO, { keepCase: true })).mecha as never as { test: { Greeter: new (a: string, c: unknown) => Greeter } }).test.Greeter;
    const greeter = new Ctor(`127.0.0.1:${caller.grpcPort}`, credentials.createInsecure());
    const md = new Metadata();
    md.set('dapr-app-id', 'grpc-callee');
    const reply = await new Promise<{ message: string; caller: string }>((resolve, reject) => greeter.SayHello({ name: 'ada' }, md, (err, r) => (err ? reject(err) : resolve(r))));
    greeter.close();
    expect(reply).toEqual({ message: 'hello ada', caller: 'caller' });
  });

  it('refuses plaintext on the internal port', async () => {
    const plain = internalClient(internalPorts.callee);
    const { err } = await plain.callLocal('x', 'caller');
    plain.close();
    expect(err?.code).toBe(status.UNAVAILABLE);
  });

  it('refuses a peer whose certificate comes from another CA', async () => {
    const other = await CertificateAuthority.generate();
    const keys = await newKeyPair();
    const issued = await other.issue(keys.publicKey, { trustDomain: 'public', namespace: 'default', appId: 'caller' }, 3_600_000, 0);
    const client = internalClient(internalPorts.callee, tlsCredentials(sentry.trustAnchors, issued.chainPem, await privateKeyPem(keys.privateKey)));
    const { err } = await client.callLocal('x', 'caller');
    client.close();
    expect(err?.code).toBe(status.UNAVAILABLE);
    expect(callee.output()).toMatch(/mTLS: refused a connection from 127\.0\.0\.1:\d+: UNABLE_TO_GET_ISSUER_CERT/);
  });

  it('refuses a TLS caller without a certificate', async () => {
    const client = internalClient(internalPorts.callee, credentials.createSsl(Buffer.from(sentry.trustAnchors), null, null, { checkServerIdentity: () => undefined }));
    const { err } = await client.callLocal('x', 'caller');
    client.close();
    expect(err?.code).toBe(status.UNAVAILABLE);
    expect(callee.output()).toMatch(/mTLS: refused a connection from 127\.0\.0\.1:\d+: \w+/);
  });

  it('refuses an expired certificate of our own CA', async () => {
    const ca = await CertificateAuthority.fromDirectory(CERTS, () => undefined);
    const keys = await newKeyPair();
    const issued = await ca.issue(keys.publicKey, { trustDomain: 'public', namespace: 'default', appId: 'caller' }, 500, 0);
    await new Promise((r) => setTimeout(r, 1_500));
    const client = internalClient(internalPorts.callee, tlsCredentials(sentry.trustAnchors, issued.chainPem, await privateKeyPem(keys.privateKey)));
    const { err } = await client.callLocal('x', 'caller');
    client.close();
    expect(err?.code).toBe(status.UNAVAILABLE);
    expect(callee.output()).toMatch(/mTLS: refused a connection from 127\.0\.0\.1:\d+: CERT_HAS_EXPIRED/);
  });

  it('refuses a caller from another trust domain, saying so in the log', async () => {
    const foreign = await svid('caller', 'elsewhere');
    const client = internalClient(internalPorts.callee, tlsCredentials(sentry.trustAnchors, foreign.chainPem, foreign.keyPem));
    const { err } = await client.callLocal('x', 'caller');
    client.close();
    expect(err?.code).toBe(status.UNAUTHENTICATED);
    expect(callee.output()).toContain('refused a call from spiffe://elsewhere/ns/default/caller: trust domain "elsewhere" is not ours ("public")');
  });

  it('uses a certificate given in DAPR_CERT_CHAIN and DAPR_CERT_KEY instead of asking Sentry', async () => {
    const given = await svid('fixed');
    const fixed = await startMecha(['--app-id', 'fixed', '--enable-mtls'], {
      cwd,
      env: { HOME, DAPR_TRUST_ANCHORS: sentry.trustAnchors, DAPR_CERT_CHAIN: given.chainPem, DAPR_CERT_KEY: given.keyPem },
    });
    try {
      const res = await fetch(`${fixed.url}/v1.0/invoke/callee/method/fixed`, { method: 'POST', body: '' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { headers: Record<string, string> }).headers['dapr-caller-app-id']).toBe('fixed');
      expect(fixed.output()).toContain('identity spiffe://public/ns/default/fixed');
    } finally {
      await fixed.stop();
    }
  });

  it('applies access control to the identity the certificate proves, not the caller id the call claims', async () => {
    const allowed = await fetch(`${caller.url}/v1.0/invoke/strict/method/ok`, { method: 'POST', body: '' });
    expect(allowed.status).toBe(200);
    const intruder = await svid('intruder');
    const client = internalClient(internalPorts.strict, tlsCredentials(sentry.trustAnchors, intruder.chainPem, intruder.keyPem));
    const { err } = await client.callLocal('ok', 'caller');
    expect(err?.code).toBe(status.PERMISSION_DENIED);
    expect(err?.details).toContain('access control policy has denied access to id: intruder');
    client.close();
    const real = await svid('caller');
    const asCaller = internalClient(internalPorts.strict, tlsCredentials(sentry.trustAnchors, real.chainPem, real.keyPem));
    expect((await asCaller.callLocal('ok', 'someone-else')).status).toBe(200);
    asCaller.close();
  });
});
