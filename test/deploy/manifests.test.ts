import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { review } from '../../src/injector/webhook.js';

const docs = (file: string) =>
  parseAllDocuments(readFileSync(fileURLToPath(new URL(`../../deploy/kubernetes/${file}`, import.meta.url)), 'utf8')).map((d) => d.toJS() as any);
const find = (all: any[], kind: string, name?: string) => all.find((d) => d.kind === kind && (!name || d.metadata.name === name));

describe('deploy/kubernetes manifests', () => {
  const injector = docs('injector.yaml');

  it('wire the webhook to the injector Service and port, for pod creation, never blocking pods', () => {
    const hook = find(injector, 'MutatingWebhookConfiguration').webhooks[0];
    const service = find(injector, 'Service', 'mecha-injector');
    const deployment = find(injector, 'Deployment', 'mecha-injector');
    expect(hook.clientConfig.service).toEqual({ name: service.metadata.name, namespace: service.metadata.namespace, path: '/mutate', port: service.spec.ports[0].port });
    const container = deployment.spec.template.spec.containers[0];
    expect(container.args.slice(0, 3)).toEqual(['injector', '--port', String(service.spec.ports[0].targetPort)]);
    expect(deployment.spec.template.spec.volumes[0].secret.secretName).toBe('mecha-injector-tls');
    expect(hook.rules[0]).toMatchObject({ operations: ['CREATE'], resources: ['pods'] });
    expect(hook).toMatchObject({ failurePolicy: 'Ignore', sideEffects: 'None', admissionReviewVersions: ['v1'] });
  });

  it('give the example app a headless <app-id>-dapr Service and annotations the injector accepts', () => {
    const app = docs('example-app.yaml');
    const deployment = find(app, 'Deployment', 'orders');
    const template = deployment.spec.template;
    const appId = template.metadata.annotations['dapr.io/app-id'];
    const headless = find(app, 'Service', `${appId}-dapr`);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.ports.map((p: { targetPort: number }) => p.targetPort)).toEqual([3500, 50001, 50002, 9090]);
    expect(find(app, 'ConfigMap', template.metadata.annotations['dapr.io/config']).data['config.yaml']).toContain('kind: Configuration');
    const { review: answer } = review(
      { kind: 'AdmissionReview', request: { uid: 'u', kind: { kind: 'Pod' }, object: { metadata: { generateName: 'orders-', ...template.metadata }, spec: template.spec } } },
      { image: 'mecha:test', componentsConfigMap: 'mecha-components' },
    ) as { review: { response: { allowed: boolean; patch?: string } } } as any;
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.patch).toBeTruthy();
    expect(find(app, 'ConfigMap', 'mecha-components').data['statestore.yaml']).toContain('state.redis');
  });
});
