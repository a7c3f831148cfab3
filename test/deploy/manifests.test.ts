import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfiguration } from '../../src/config/configuration.js';
import { loadResources } from '../../src/config/resources.js';
import { review } from '../../src/injector/admission-review.js';
import { builtinComponents } from '../../src/registry/builtin.js';
import { ComponentRegistry } from '../../src/registry/component-registry.js';
import { applyJsonPatch } from '../support/json-patch.js';
import { decodePatch } from './admission-fixtures.js';

const docs = (file: string) =>
  parseAllDocuments(readFileSync(fileURLToPath(new URL(`../../deploy/kubernetes/${file}`, import.meta.url)), 'utf8')).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as any;
  });
const find = (all: any[], kind: string, name?: string) => {
  const found = all.find((d) => d.kind === kind && (!name || d.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toBeDefined();
  return found;
};

describe('deploy/kubernetes manifests', () => {
  const injector = docs('injector.yaml');
  const deployment = find(injector, 'Deployment', 'mecha-injector');
  const container = deployment.spec.template.spec.containers[0];

  it('wire the webhook to the injector Service and port, for pod creation, never blocking pods', () => {
    const hook = find(injector, 'MutatingWebhookConfiguration').webhooks[0];
    const service = find(injector, 'Service', 'mecha-injector');
    expect(hook.clientConfig.service).toEqual({ name: service.metadata.name, namespace: service.metadata.namespace, path: '/mutate', port: service.spec.ports[0].port });
    expect(container.args.slice(0, 3)).toEqual(['injector', '--port', String(service.spec.ports[0].targetPort)]);
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    expect(hook.rules[0]).toMatchObject({ operations: ['CREATE'], resources: ['pods'] });
    expect(hook).toMatchObject({ failurePolicy: 'Ignore', sideEffects: 'None', admissionReviewVersions: ['v1'] });
    // The injector's own namespace is never injected.
    expect(hook.namespaceSelector.matchExpressions[0].values).toContain(deployment.metadata.namespace);
  });

  it('mount the TLS Secret where the injector reads it, the one cert-manager would write', () => {
    const volume = deployment.spec.template.spec.volumes.find((v: any) => v.secret);
    const mount = container.volumeMounts.find((m: any) => m.name === volume.name);
    const flag = (name: string) => container.args[container.args.indexOf(name) + 1];
    expect([flag('--tls-cert-file'), flag('--tls-key-file')]).toEqual([`${mount.mountPath}/tls.crt`, `${mount.mountPath}/tls.key`]);
    const certificate = find(docs('cert-manager.yaml'), 'Certificate', 'mecha-injector-tls');
    expect(certificate.spec.secretName).toBe(volume.secret.secretName);
    expect(certificate.spec.dnsNames).toContain(`mecha-injector.${deployment.metadata.namespace}.svc`);
    expect(container.env).toContainEqual({ name: 'SIDECAR_IMAGE', value: container.image });
  });

  it("give the example app a headless <app-id>-dapr Service selecting the injector's labels, and components that load", async () => {
    const app = docs('example-app.yaml');
    const template = find(app, 'Deployment', 'orders').spec.template;
    const appId = template.metadata.annotations['dapr.io/app-id'];
    const pod = { metadata: { generateName: 'orders-', ...template.metadata }, spec: template.spec };
    const { review: answer } = review(
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', kind: { kind: 'Pod' }, operation: 'CREATE', object: pod } },
      { image: 'mecha:test', componentsConfigMap: 'mecha-components' },
    );
    expect(answer.response).toMatchObject({ allowed: true });
    const patched = applyJsonPatch(pod, decodePatch(answer as never));
    const sidecar = patched.spec.containers.find((c: any) => c.name === 'daprd');

    const headless = find(app, 'Service', `${appId}-dapr`);
    expect(headless.spec.clusterIP).toBe('None');
    expect(patched.metadata.labels).toMatchObject(headless.spec.selector);
    expect(headless.spec.ports.map((p: any) => `${p.name}:${p.targetPort}`)).toEqual(sidecar.ports.map((p: any) => `${p.name}:${p.containerPort}`));

    const dir = mkdtempSync(join(tmpdir(), 'mecha-k8s-resources-'));
    try {
      // As the kubelet mounts a ConfigMap: the files in a timestamped folder, `..data` linking to it,
      // and one link per key through `..data`.
      const stamped = join(dir, '..2026_11_22_13_00_00.123456789');
      mkdirSync(stamped);
      symlinkSync(basename(stamped), join(dir, '..data'));
      for (const [file, text] of Object.entries(find(app, 'ConfigMap', 'mecha-components').data)) {
        writeFileSync(join(stamped, file), text as string);
        symlinkSync(join('..data', file), join(dir, file));
      }
      const warnings: string[] = [];
      const { components } = await loadResources([dir], { registry: new ComponentRegistry(builtinComponents), appId, env: {}, warn: (m) => warnings.push(m) });
      expect(components.map((c) => c.name).sort()).toEqual(['pubsub', 'statestore']);
      expect(warnings).toEqual([]);
      const configFile = join(stamped, 'config.yaml');
      writeFileSync(configFile, find(app, 'ConfigMap', template.metadata.annotations['dapr.io/config']).data['config.yaml']);
      await expect(loadConfiguration([configFile], {})).resolves.toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const redis = find(app, 'Service', 'redis');
    expect(find(app, 'ConfigMap', 'mecha-components').data['statestore.yaml']).toContain(`${redis.metadata.name}.${redis.metadata.namespace}.svc.cluster.local:${redis.spec.ports[0].port}`);
  });
});
