import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { NameResolution } from '../../../contracts/nameresolution.js';

/** Kubernetes DNS: `<app-id>-dapr.<namespace>.svc.<clusterDomain>:<port>`, or a template. */
export const kubernetesNameResolution: ComponentDescriptor<NameResolution> = {
  type: 'nameresolution.kubernetes',
  category: 'nameresolution',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      clusterDomain: { type: 'string', default: 'cluster.local', description: 'The cluster DNS domain.' },
      template: { type: 'string', description: 'Address template with {{.ID}}, {{.Namespace}} and {{.Port}}.' },
    },
  },
  load: async () => (await import('./kubernetes-resolver.js')).createKubernetesResolver,
};
