import type { SecretsApi } from '../../core/secrets-api.js';
import { mapOf, unary, type CallGuard, type UnaryHandler } from './handler.js';

/** GetSecret and GetBulkSecret on the secrets core. */
export function secretsHandlers(secrets: SecretsApi, guard: CallGuard): Record<string, UnaryHandler> {
  return {
    GetSecret: unary(guard, async (r: { store_name: string; key: string; metadata: Record<string, string> }) => ({
      data: (await secrets.get(r.store_name, r.key, mapOf(r.metadata))) ?? {},
    })),
    GetBulkSecret: unary(guard, async (r: { store_name: string; metadata: Record<string, string> }) => {
      const all = await secrets.bulkGet(r.store_name, mapOf(r.metadata));
      return { data: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, { secrets: v }])) };
    }),
  };
}
