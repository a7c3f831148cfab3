import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';
import { review } from '../../src/injector/admission-review.js';
import { CertificateAuthority } from '../../src/security/ca.js';
import { applyJsonPatch } from '../support/json-patch.js';
import { runMecha } from '../support/mecha-process.js';
import { admission, appPod, decodePatch } from './admission-fixtures.js';

const manifests = (file: string) =>
  parseAllDocuments(readFileSync(fileURLToPath(new URL(`../../deploy/kubernetes/${file}`, import.meta.url)), 'utf8')).map((d) => d.toJS() as any);

describe('mTLS in Kubernetes', () => {
  it('injects --enable-mtls, the Sentry address and identity, the trust anchors and a projected token for Sentry', async () => {
    const { rootPem } = await CertificateAuthority.generate();
    const mtls = { sentryAddress: 'mecha-sentry.mecha-system.svc.cluster.local:443', trustAnchors: rootPem, controlPlaneNamespace: 'mecha-system', controlPlaneTrustDomain: 'localhost' };
    const pod = appPod({ 'dapr.io/enabled': 'true', 'dapr.io/app-id': 'orders' });
    const { review: r } = review(JSON.parse(admission(pod)), { image: 'mecha:test', componentsConfigMap: 'mecha-components', mtls });
    const patched = applyJsonPatch(pod, decodePatch(r as never));
    const sidecar = patched.spec.containers.find((c: { name: string }) => c.name === 'daprd');
    const env = Object.fromEntries(sidecar.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.DAPR_TRUST_ANCHORS).toBe(rootPem);
    // As the sidecar would read them in the pod (KUBERNETES_SERVICE_HOST set: the projected token is sent to Sentry).
    const { options } = parseRunArgs(sidecar.args.slice(1), { ...env, KUBERNETES_SERVICE_HOST: '10.0.0.1' }, '/data');
    expect(options.mtls).toEqual({
      trustAnchorsPem: rootPem,
      sentryAddress: mtls.sentryAddress,
      controlPlaneNamespace: 'mecha-system',
      controlPlaneTrustDomain: 'localhost',
      certificate: undefined,
      tokenFile: '/var/run/secrets/dapr.io/sentrytoken/token',
    });
    const mount = sidecar.volumeMounts.find((m: { name: string }) => m.name === 'dapr-identity-token');
    expect(mount.mountPath).toBe('/var/run/secrets/dapr.io/sentrytoken');
    const volume = patched.spec.volumes.find((v: { name: string }) => v.name === 'dapr-identity-token');
    expect(volume.projected.sources[0].serviceAccountToken).toMatchObject({ path: 'token', audience: 'dapr.io/sentry' });
  });

  it('injects no mTLS without a Sentry address', () => {
    const pod = appPod({ 'dapr.io/enabled': 'true', 'dapr.io/app-id': 'orders' });
    const { review: r } = review(JSON.parse(admission(pod)), { image: 'mecha:test', componentsConfigMap: 'mecha-components' });
    const sidecar = applyJsonPatch(pod, decodePatch(r as never)).spec.containers.find((c: { name: string }) => c.name === 'daprd');
    expect(sidecar.args).not.toContain('--enable-mtls');
    expect(sidecar.env.map((e: { name: string }) => e.name)).not.toContain('DAPR_TRUST_ANCHORS');
  });

  it('makes a Sentry CA with mecha injector --generate-certs, its key private, that Sentry loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mecha-gen-'));
    try {
      const gen = await runMecha(['injector', '--generate-certs', dir], { timeoutMs: 60_000 });
      expect(gen.code, gen.output).toBe(0);
      expect(gen.output).toContain(join(dir, 'sentry', 'issuer.key'));
      expect(statSync(join(dir, 'sentry', 'issuer.key')).mode & 0o777).toBe(0o600);
      const ca = await CertificateAuthority.fromDirectory(join(dir, 'sentry'), () => undefined);
      expect(ca.rootPem).toBe(readFileSync(join(dir, 'sentry', 'ca.crt'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 70_000);

  it('runs Sentry in Kubernetes mode from the credentials Secret, reachable where the injector points sidecars', () => {
    const sentry = manifests('sentry.yaml');
    const deployment = sentry.find((d) => d.kind === 'Deployment');
    const service = sentry.find((d) => d.kind === 'Service');
    const container = deployment.spec.template.spec.containers[0];
    const flag = (name: string) => container.args[container.args.indexOf(name) + 1];
    expect(flag('--mode')).toBe('kubernetes');
    expect(service.spec.ports[0].targetPort).toBe(Number(flag('--port')));
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    const volume = deployment.spec.template.spec.volumes.find((v: any) => v.secret);
    expect(volume.secret).toEqual({ secretName: 'mecha-sentry-credentials', defaultMode: 0o400 });
    expect(container.volumeMounts.find((m: any) => m.name === volume.name).mountPath).toBe(flag('--issuer-credentials'));
    const role = sentry.find((d) => d.kind === 'ClusterRole');
    expect(role.rules).toContainEqual({ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] });
    // The injector's SENTRY_ADDRESS hint names this Service, and it reads the anchors where the ConfigMap is mounted.
    const injector = manifests('injector.yaml').find((d) => d.kind === 'Deployment').spec.template.spec;
    const mount = injector.containers[0].volumeMounts.find((m: any) => m.name === 'trust');
    expect(mount.mountPath).toBe('/trust');
    expect(injector.volumes.find((v: any) => v.name === 'trust').configMap).toEqual({ name: 'mecha-trust-anchors', optional: true });
    expect(readFileSync(fileURLToPath(new URL('../../deploy/kubernetes/injector.yaml', import.meta.url)), 'utf8')).toContain(
      `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${service.spec.ports[0].port}`,
    );
  });
});
