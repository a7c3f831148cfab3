import type { JsonPatchOperation } from '../support/json-patch.js';

/** An AdmissionReview as the API server sends it for a pod a Deployment's ReplicaSet creates. */
export function admission(object: object, uid = 'b3e7c5a2-0f0e-4a52-9d3f-7c1d2a9e8f11', over: { operation?: string; kind?: string } = {}): string {
  const kind = over.kind ?? 'Pod';
  const resource = `${kind.toLowerCase()}s`;
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind },
      resource: { group: '', version: 'v1', resource },
      requestKind: { group: '', version: 'v1', kind },
      requestResource: { group: '', version: 'v1', resource },
      namespace: 'shop',
      operation: over.operation ?? 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', uid: '7b0c2d4e-1f3a-4b5c-8d9e-0a1b2c3d4e5f', groups: ['system:serviceaccounts', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  });
}

/** A pod as a ReplicaSet creates it: a generated name still to come, labels from the template. */
export function appPod(annotations: Record<string, string>, containers: object[] = [{ name: 'app', image: 'shop/orders:1', ports: [{ containerPort: 8080 }], resources: {} }]): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'orders-7d9f8c6b5-', namespace: 'shop', labels: { app: 'orders' }, annotations },
    spec: { containers, serviceAccountName: 'default', restartPolicy: 'Always' },
  };
}

/** The JSON patch of an AdmissionReview response. */
export function decodePatch(review: { response: { patch?: string; patchType?: string } }): JsonPatchOperation[] {
  if (review.response.patchType !== 'JSONPatch' || !review.response.patch) throw new Error(`no JSON patch in ${JSON.stringify(review.response)}`);
  return JSON.parse(Buffer.from(review.response.patch, 'base64').toString('utf8')) as JsonPatchOperation[];
}
