import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';
import { applyJsonPatch } from '../support/json-patch.js';
import { freePort, MECHA_BIN, runMecha } from '../support/mecha-process.js';
import { admission, appPod, decodePatch } from './admission-fixtures.js';

const SERVICE_DNS = 'mecha-injector.mecha-system.svc';
const dir = mkdtempSync(join(tmpdir(), 'mecha-injector-'));
const certs = join(dir, 'serving');
let injector: ChildProcess;
let port: number;
let log = '';

/** POSTs over HTTPS, trusting only `caFile` and checking that the certificate names the Service. */
function post(body: string, opts: { caFile?: string; contentType?: string; method?: string } = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1', port, path: '/mutate', method: opts.method ?? 'POST', servername: SERVICE_DNS,
        ca: readFileSync(opts.caFile ?? join(certs, 'ca.crt')), agent: false,
        headers: { 'content-type': opts.contentType ?? 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.setTimeout(5_000, () => req.destroy(new Error('timed out')));
    req.once('error', reject);
    req.end(body);
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} within ${timeoutMs} ms; injector output:\n${log}`);
}

beforeAll(async () => {
  const gen = await runMecha(['injector', '--generate-certs', certs, '--service', 'mecha-injector', '--namespace', 'mecha-system']);
  expect(gen.code, gen.output).toBe(0);
  port = await freePort();
  injector = spawn(process.execPath, [MECHA_BIN, 'injector', '--port', String(port), '--listen-address', '127.0.0.1', '--tls-reload-seconds', '1'], {
    env: { ...process.env, TLS_CERT_FILE: join(certs, 'tls.crt'), TLS_KEY_FILE: join(certs, 'tls.key'), SIDECAR_IMAGE: 'registry.example/mecha:test' },
  });
  injector.stdout!.on('data', (d) => (log += d));
  injector.stderr!.on('data', (d) => (log += d));
  await until('the injector answered', async () => (await post('{}')).status === 400);
});

afterAll(() => {
  injector?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('mecha injector --generate-certs', () => {
  it('issues a serving certificate for every DNS name of the Service, signed by the CA it writes', () => {
    const ca = new X509Certificate(readFileSync(join(certs, 'ca.crt')));
    const serving = new X509Certificate(readFileSync(join(certs, 'tls.crt')));
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.subjectAltName?.split(', ').sort()).toEqual(
      ['mecha-injector', 'mecha-injector.mecha-system', 'mecha-injector.mecha-system.svc', 'mecha-injector.mecha-system.svc.cluster.local'].map((n) => `DNS:${n}`).sort(),
    );
  });
});

describe('mecha injector (mutating admission webhook over HTTPS)', () => {
  it("adds the sidecar to an annotated pod, with flags mecha run accepts and Dapr's ports, probes, env and labels", async () => {
    const pod = appPod({
      'dapr.io/enabled': 'true',
      'dapr.io/app-id': 'orders',
      'dapr.io/app-port': '8080',
      'dapr.io/app-protocol': 'grpc',
      'dapr.io/config': 'shop-config',
      'dapr.io/log-level': 'debug',
      'dapr.io/log-as-json': 'true',
      'dapr.io/enable-api-logging': 'true',
      'dapr.io/app-max-concurrency': '10',
      'dapr.io/sidecar-cpu-limit': '500m',
      'dapr.io/sidecar-memory-limit': '256Mi',
      'dapr.io/sidecar-memory-request': '64Mi',
    });
    const { status, json } = await post(admission(pod));
    expect(status).toBe(200);
    expect(json).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'b3e7c5a2-0f0e-4a52-9d3f-7c1d2a9e8f11', allowed: true, patchType: 'JSONPatch' } });
    const patched = applyJsonPatch(pod, decodePatch(json));

    const [app, sidecar] = patched.spec.containers;
    expect(app.env).toEqual([{ name: 'DAPR_HTTP_PORT', value: '3500' }, { name: 'DAPR_GRPC_PORT', value: '50001' }, { name: 'APP_PROTOCOL', value: 'grpc' }]);
    expect(sidecar).toMatchObject({ name: 'daprd', image: 'registry.example/mecha:test', imagePullPolicy: 'IfNotPresent' });
    expect(sidecar.args[0]).toBe('run');
    const { options, appCommand } = parseRunArgs(sidecar.args.slice(1), {}, '/data');
    expect(appCommand).toEqual([]);
    expect(options).toMatchObject({
      appId: 'orders', appPort: 8080, appProtocol: 'grpc', mode: 'kubernetes', logLevel: 'debug', logAsJson: true, enableApiLogging: true,
      appMaxConcurrency: 10, httpPort: 3500, grpcPort: 50001, internalGrpcPort: 50002, listenAddresses: ['0.0.0.0'], metricsPort: 9090, enableMetrics: true,
      resourcesPaths: ['/mecha/components'], configPaths: ['/mecha/config/config.yaml'],
    });
    expect(sidecar.ports.map((p: { name: string; containerPort: number }) => `${p.name}:${p.containerPort}`)).toEqual(['dapr-http:3500', 'dapr-grpc:50001', 'dapr-internal:50002', 'dapr-metrics:9090']);
    expect(sidecar.readinessProbe).toEqual({ httpGet: { path: '/v1.0/healthz', port: 3500 }, initialDelaySeconds: 1, timeoutSeconds: 1, periodSeconds: 1, failureThreshold: 5 });
    expect(sidecar.livenessProbe).toEqual({ httpGet: { path: '/v1.0/healthz/outbound', port: 3500 }, initialDelaySeconds: 180, timeoutSeconds: 3, periodSeconds: 10, failureThreshold: 5 });
    expect(sidecar.env).toEqual([
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'DAPR_HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
    expect(sidecar.resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { memory: '64Mi' } });
    expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(patched.spec.volumes).toEqual([
      { name: 'mecha-components', configMap: { name: 'mecha-components', optional: true } },
      { name: 'mecha-data', emptyDir: {} },
      { name: 'mecha-config', configMap: { name: 'shop-config' } },
    ]);
    expect(sidecar.volumeMounts).toEqual([
      { name: 'mecha-components', mountPath: '/mecha/components', readOnly: true },
      { name: 'mecha-data', mountPath: '/data' },
      { name: 'mecha-config', mountPath: '/mecha/config', readOnly: true },
    ]);
    expect(patched.metadata.labels).toEqual({ app: 'orders', 'dapr.io/sidecar-injected': 'true', 'dapr.io/app-id': 'orders', 'dapr.io/metrics-enabled': 'true' });
  });

  it('is idempotent: the injected pod sent again is allowed untouched', async () => {
    const pod = appPod({ 'dapr.io/enabled': 'true', 'dapr.io/app-id': 'orders' });
    const first = await post(admission(pod));
    const injected = applyJsonPatch(pod, decodePatch(first.json));
    const again = await post(admission(injected, 'u-again'));
    expect(again.json.response).toEqual({ uid: 'u-again', allowed: true });
  });

  it('leaves alone pods that are not annotated, other objects and other operations', async () => {
    for (const pod of [appPod({}), appPod({ 'dapr.io/enabled': 'false' }), appPod({ 'dapr.io/app-id': 'orders' })]) {
      const { status, json } = await post(admission(pod, 'u-1'));
      expect(status).toBe(200);
      expect(json.response).toEqual({ uid: 'u-1', allowed: true });
    }
    const annotated = appPod({ 'dapr.io/enabled': 'true', 'dapr.io/app-id': 'orders' });
    const update = await post(admission(annotated, 'u-update', { operation: 'UPDATE' }));
    expect(update.json.response).toEqual({ uid: 'u-update', allowed: true });
    const service = await post(admission({ kind: 'Service', metadata: { name: 's', annotations: { 'dapr.io/enabled': 'true' } } }, 'u-svc', { kind: 'Service' }));
    expect(service.json.response).toEqual({ uid: 'u-svc', allowed: true });
  });

  it('refuses a pod whose annotations it cannot use, naming the annotation', async () => {
    const bad = await post(admission(appPod({ 'dapr.io/enabled': 'true', 'dapr.io/app-id': 'orders', 'dapr.io/app-port': 'http' }), 'u-2'));
    expect(bad.status).toBe(200);
    expect(bad.json.response).toMatchObject({ uid: 'u-2', allowed: false, status: { code: 400, message: expect.stringContaining('dapr.io/app-port: "http" is not a whole number') } });
    expect(bad.json.response.patch).toBeUndefined();
    const noId = await post(admission(appPod({ 'dapr.io/enabled': 'true' }), 'u-3'));
    expect(noId.json.response).toMatchObject({ uid: 'u-3', allowed: false, status: { message: expect.stringContaining('dapr.io/app-id is not set') } });
  });

  it('answers requests that are not AdmissionReviews with an AdmissionReview saying why, echoing the uid it found', async () => {
    const cases: Array<[string, { contentType?: string }, number, RegExp, string?]> = [
      ['{nope', {}, 400, /the body is not JSON/],
      ['', {}, 400, /the body is empty/],
      ['[1]', {}, 400, /not a JSON object/],
      [JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} }), {}, 400, /request\.uid is missing/],
      [admission(appPod({}), 'u-beta').replace('admission.k8s.io/v1', 'admission.k8s.io/v1beta1'), {}, 400, /admissionReviewVersions must be \["v1"\]/, 'u-beta'],
      [admission({ metadata: {}, spec: { containers: 'app' } }, 'u-shape'), {}, 400, /spec\.containers is not a list/, 'u-shape'],
      [admission(appPod({}), 'u-type'), { contentType: 'text/plain' }, 415, /Content-Type must be application\/json/],
    ];
    for (const [body, opts, status, message, uid] of cases) {
      const res = await post(body, opts);
      expect(res.status, body.slice(0, 60)).toBe(status);
      expect(res.json).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: uid ?? '', allowed: false, status: { code: status, message } } });
    }
    // The process is still serving.
    expect((await post(admission(appPod({}), 'u-after'))).json.response).toEqual({ uid: 'u-after', allowed: true });
  });

  it('serves a renewed certificate without a restart', async () => {
    const renewed = join(dir, 'renewed');
    const gen = await runMecha(['injector', '--generate-certs', renewed]);
    expect(gen.code, gen.output).toBe(0);
    await expect(post(admission(appPod({})), { caFile: join(renewed, 'ca.crt') })).rejects.toThrow();
    copyFileSync(join(renewed, 'tls.key'), join(certs, 'tls.key'));
    copyFileSync(join(renewed, 'tls.crt'), join(certs, 'tls.crt'));
    await until('the renewed certificate was served', async () => (await post(admission(appPod({})), { caFile: join(renewed, 'ca.crt') })).status === 200);
    expect(log).toContain('serving certificate reloaded');
  });
});
