import type { ComponentContext } from '../../../contracts/component.js';
import type { Secret, SecretStore } from '../../../contracts/secretstore.js';

export type LocalEnvMetadata = { prefix: string };

/** The sidecar's own tokens are never secrets anyone may read. */
const forbidden = (name: string) => name.toUpperCase() === 'APP_API_TOKEN' || name.toUpperCase().startsWith('DAPR_');

/** Secrets from the sidecar's environment, as daprd's env store reads them (a missing variable is ""). */
class LocalEnvStore implements SecretStore<LocalEnvMetadata> {
  #prefix = '';

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: LocalEnvMetadata): Promise<void> {
    this.#prefix = md.prefix;
  }

  features() {
    return [] as const;
  }

  async getSecret(name: string): Promise<Secret> {
    const variable = this.#prefix + name;
    if (forbidden(variable)) {
      this.ctx.logger.warn({ name }, 'access to this environment variable is forbidden');
      return { [name]: '' };
    }
    return { [name]: process.env[variable] ?? '' };
  }

  async bulkGetSecret(): Promise<Record<string, Secret>> {
    const out: Record<string, Secret> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value === undefined || forbidden(key)) continue;
      if (this.#prefix && (key.length <= this.#prefix.length || !key.startsWith(this.#prefix))) continue;
      const name = key.slice(this.#prefix.length);
      out[name] = { [name]: value };
    }
    return out;
  }

  async close(): Promise<void> {}
}

export function createLocalEnvStore(ctx: ComponentContext): LocalEnvStore {
  return new LocalEnvStore(ctx);
}
