import { completeSpec, type ComponentSpec, type LoadContext } from '../config/load-components.js';
import type { ResourceProblem } from '../config/resource-problem.js';
import type { SecretStore } from '../contracts/secretstore.js';
import type { ComponentHost } from './component-host.js';

/**
 * Resolves the `secretKeyRef`s of components that wait for a secret store, against the stores already
 * running, then validates those components. Every missing store or secret is a problem naming the
 * component's file and field; resolved values go only into the component's metadata.
 */
export async function resolveSecretReferences(pending: readonly ComponentSpec[], host: ComponentHost, warn: LoadContext['warn']): Promise<{ ready: ComponentSpec[]; problems: ResourceProblem[] }> {
  const ready: ComponentSpec[] = [];
  const problems: ResourceProblem[] = [];
  for (const spec of pending) {
    const { secretStore, refs } = spec.pendingSecrets!;
    const store = host.get<SecretStore>('secretstores', secretStore)?.instance;
    if (!store) {
      problems.push({ ...spec.source, field: 'auth.secretStore', message: `secret store "${secretStore}" is not loaded (component "${spec.name}")` });
      continue;
    }
    const values: Record<string, string> = {};
    let failed = false;
    for (const ref of refs) {
      try {
        const secret = await store.getSecret(ref.secretName, { namespace: process.env.NAMESPACE ?? '' });
        const value = secret[ref.secretKey];
        if (value === undefined) throw new Error(`secret "${ref.secretName}" has no key "${ref.secretKey}"`);
        values[ref.metadataName] = value;
      } catch (err) {
        problems.push({ ...spec.source, field: ref.field, message: `component "${spec.name}": ${(err as Error).message} in secret store "${secretStore}"` });
        failed = true;
      }
    }
    if (failed) continue;
    const done = completeSpec(spec, values, warn);
    problems.push(...done.problems);
    if (done.problems.length === 0) ready.push(spec);
  }
  return { ready, problems };
}
