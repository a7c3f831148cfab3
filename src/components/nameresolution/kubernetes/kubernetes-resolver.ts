import type { ComponentContext } from '../../../contracts/component.js';
import type { NameResolution, SidecarInstance } from '../../../contracts/nameresolution.js';

export type KubernetesResolverMetadata = { clusterDomain: string; template?: string };

/**
 * Resolution by Kubernetes DNS: every sidecar of an app sits behind the headless service
 * `<app-id>-dapr`, on the same internal port as ours. Registration is the platform's job.
 */
class KubernetesResolver implements NameResolution<KubernetesResolverMetadata> {
  #md: KubernetesResolverMetadata = { clusterDomain: 'cluster.local' };
  #port = 50002;

  async init(md: KubernetesResolverMetadata): Promise<void> {
    this.#md = md;
  }

  async register(self: SidecarInstance): Promise<void> {
    this.#port = self.port;
  }

  async resolve(appId: string, namespace: string): Promise<string[]> {
    const ns = namespace || process.env.NAMESPACE || 'default';
    if (this.#md.template) return [render(this.#md.template, { ID: appId, Namespace: ns, Port: String(this.#port) })];
    return [`${appId}-dapr.${ns}.svc.${this.#md.clusterDomain}:${this.#port}`];
  }

  async close(): Promise<void> {}
}

/**
 * The part of Go templates daprd's template option uses: `{{.ID}}`, `{{.Namespace}}`, `{{.Port}}`.
 * `{{.Data.x}}` renders empty: sidecars pass no extra resolve data.
 */
function render(template: string, fields: Record<string, string>): string {
  return template.replace(/\{\{\s*\.([A-Za-z]+)(?:\.[A-Za-z0-9_-]+)?\s*\}\}/g, (_, name: string) => fields[name] ?? '');
}

export function createKubernetesResolver(_ctx: ComponentContext): KubernetesResolver {
  return new KubernetesResolver();
}
