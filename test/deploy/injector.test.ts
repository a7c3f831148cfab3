import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, MECHA_BIN, runMecha } from '../support/mecha-process.js';
import { spawn, type ChildProcess } from 'node:child_process';

const SERVICE_NAME = 'mecha-injector.mecha-system.svc';
const certs = mkdtempSync(join(tmpdir(), 'mecha-injector-'));
let injector: ChildProcess;
let port: number;

/** POSTs over HTTPS, trusting only the generated CA and checking the certificate names the Service. */
function post(path: string, body: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', ca: readFileSync(join(certs, 'ca.crt')), servername: SERVICE_NAME, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** An AdmissionReview as the API server sends it for a pod a Deployment creates. */
function admission(pod: object, uid = 'b3e7c5a2-0f0e-4a52-9d3f-7c1d2a9e8f11') {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: pod,
      dryRun: false,
    },
  });
}

const appPod = (annotations: Record<string, string>, containers: object[] = [{ name: 'app', image: 'shop/orders:1', ports: [{ containerPort: 8080 }] }]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'orders-7d9f8c6b5-', namespace: 'shop', labels: { app: 'orders' }, annotations },
  spec: { containers, serviceAccountName: 'default' },
});

/** RFC 6902 `add`, the only operation the injector emits: enough to apply its patches here. */
function applyPatch(doc: any, ops: Array<{ op: string; path: string; value: unknown }>): any {
  const out = structuredClone(doc);
  for (const { op, path, value } of ops) {
    expect(op).toBe('add');
    const parts = path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop()!;
    let target = out;
    for (const p of parts) {
      expect(target[p], `${path}: parent ${p} exists`).toBeDefined();
      target = target[p];
    }
    if (Array.isArray(target)) target.splice(last === '-' ? target.length : Number(last), 0, value);
    else target[last] = value;
  }
  return out;
}

beforeAll(async () => {
  const gen = await runMecha(['injector', '--generate-certs', certs, '--service', 'mecha-injector', '--namespace', 'mecha-system']);
  expect(gen.code, gen.output).toBe(0);
  port = await freePort();
  injector = spawn(process.execPath, [MECHA_BIN, 'injector', '--port', String(port), '--listen-address', '127.0.0.1', '--tls-cert-file', join(certs, 'tls.crt'), '--tls-key-file', join(certs, 'tls.key'), '--sidecar-image', 'registry.example/mecha:test'], { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const up = await post('/mutate', '{}').then(() => true, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the injector did not start');
});

afterAll(() => {
  injector?.kill('SIGTERM');
});

describe('mecha injector (mutating admission webhook over HTTPS)', () => {
  it("adds the sidecar to an annotated pod, configured from Dapr's annotations", async () => {
    const pod = appPod({
      'dapr.io/enabled': 'true',
      'dapr.io/app-id': 'orders',
      'dapr.io/app-port': '8080',
      'dapr.io/app-protocol': 'grpc',
      'dapr.io/config': 'shop-config',
      'dapr.io/log-level': 'debug',
      'dapr.io/enable-api-logging': 'true',
      'dapr.io/app-max-concurrency': '10',
      'dapr.io/sidecar-cpu-limit': '500m',
      'dapr.io/sidecar-memory-limit': '256Mi',
      'dapr.io/sidecar-memory-request': '64Mi',
      'dapr.io/env': 'GOMAXPROCS=2,FEATURE_X=on',
    });
    const { status, json } = await post('/mutate', admission(pod));
    expect(status).toBe(200);
    expect(json).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'b3e7c5a2-0f0e-4a52-9d3f-7c1d2a9e8f11', allowed: true, patchType: 'JSONPatch' } });
    const patched = applyPatch(pod, JSON.parse(Buffer.from(json.response.patch, 'base64').toString('utf8')));

    const [app, sidecar] = patched.spec.containers;
    expect(app.env).toEqual([{ name: 'DAPR_HTTP_PORT', value: '3500' }, { name: 'DAPR_GRPC_PORT', value: '50001' }]);
    expect(sidecar.name).toBe('daprd');
    expect(sidecar.image).toBe('registry.example/mecha:test');
    const args: string[] = sidecar.args;
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(args[0]).toBe('run');
    expect([flag('--app-id'), flag('--app-port'), flag('--app-protocol'), flag('--log-level'), flag('--enable-api-logging'), flag('--app-max-concurrency')]).toEqual(['orders', '8080', 'grpc', 'debug', 'true', '10']);
    expect([flag('--mode'), flag('--dapr-http-port'), flag('--dapr-grpc-port'), flag('--dapr-internal-grpc-port'), flag('--config'), flag('--resources-path')]).toEqual([
      'kubernetes', '3500', '50001', '50002', '/mecha/config/config.yaml', '/mecha/components',
    ]);
    expect(sidecar.ports.map((p: { name: string; containerPort: number }) => `${p.name}:${p.containerPort}`)).toEqual(['dapr-http:3500', 'dapr-grpc:50001', 'dapr-internal:50002', 'dapr-metrics:9090']);
    for (const probe of [sidecar.readinessProbe, sidecar.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/v1.0/healthz', port: 3500 });
    expect(sidecar.env).toEqual(expect.arrayContaining([
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'GOMAXPROCS', value: '2' },
      { name: 'FEATURE_X', value: 'on' },
    ]));
    expect(sidecar.resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { memory: '64Mi' } });
    expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(patched.spec.volumes).toEqual([
      { name: 'mecha-components', configMap: { name: 'mecha-components', optional: true } },
      { name: 'mecha-config', configMap: { name: 'shop-config' } },
    ]);
    expect(sidecar.volumeMounts.map((m: { name: string; mountPath: string }) => `${m.name}:${m.mountPath}`)).toEqual(['mecha-components:/mecha/components', 'mecha-config:/mecha/config']);
  });

  it('defaults the app-id to the pod name, keeps app env vars already set, and appends to existing lists', async () => {
    const pod = appPod({ 'dapr.io/enabled': 'true' }, [{ name: 'app', image: 'x', env: [{ name: 'DAPR_HTTP_PORT', value: '3500' }, { name: 'OTHER', value: '1' }] }]);
    (pod.spec as Record<string, unknown>).volumes = [{ name: 'data', emptyDir: {} }];
    const { json } = await post('/mutate', admission(pod));
    const patched = applyPatch(pod, JSON.parse(Buffer.from(json.response.patch, 'base64').toString('utf8')));
    expect(patched.spec.containers[0].env.map((e: { name: string }) => e.name)).toEqual(['DAPR_HTTP_PORT', 'OTHER', 'DAPR_GRPC_PORT']);
    const args: string[] = patched.spec.containers[1].args;
    expect(args[args.indexOf('--app-id') + 1]).toBe('orders-7d9f8c6b5');
    expect(patched.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['data', 'mecha-components']);
  });

  it('leaves pods alone that are not annotated, or already have the sidecar (idempotent)', async () => {
    for (const pod of [appPod({}), appPod({ 'dapr.io/enabled': 'false' }), appPod({ 'dapr.io/enabled': 'true' }, [{ name: 'app', image: 'x' }, { name: 'daprd', image: 'y' }])]) {
      const { status, json } = await post('/mutate', admission(pod, 'u-1'));
      expect(status).toBe(200);
      expect(json.response).toEqual({ uid: 'u-1', allowed: true });
    }
  });

  it('refuses a pod whose annotations it cannot use, naming the annotation, and answers malformed requests with why', async () => {
    const bad = await post('/mutate', admission(appPod({ 'dapr.io/enabled': 'true', 'dapr.io/app-port': 'http' }), 'u-2'));
    expect(bad.json.response).toMatchObject({ uid: 'u-2', allowed: false, status: { code: 400, message: expect.stringContaining('dapr.io/app-port: "http"') } });
    const notJson = await post('/mutate', '{nope');
    expect(notJson.status).toBe(400);
    expect(notJson.json.response.status.message).toMatch(/not JSON/);
    const noUid = await post('/mutate', JSON.stringify({ kind: 'AdmissionReview', request: {} }));
    expect(noUid.status).toBe(400);
    expect(noUid.json.response).toMatchObject({ allowed: false, status: { message: expect.stringContaining('request.uid') } });
  });
});
