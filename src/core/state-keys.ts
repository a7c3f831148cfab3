import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';

const SEPARATOR = '||';

/**
 * How a store's keys are prefixed (component metadata `keyPrefix`), exactly as daprd does it, so data
 * written by either sidecar is readable by the other.
 */
export class KeyPrefixer {
  readonly #prefix: string;

  constructor(strategy: string | undefined, storeName: string, appId: string, namespace = process.env.NAMESPACE ?? '') {
    const s = (strategy ?? 'appid').toLowerCase(); // daprd lowercases the strategy, custom prefixes included
    if (s === 'none') this.#prefix = '';
    else if (s === 'name') this.#prefix = storeName + SEPARATOR;
    else if (s === 'appid') this.#prefix = appId ? appId + SEPARATOR : '';
    else if (s === 'namespace') this.#prefix = appId ? (namespace ? `${namespace}.${appId}` : appId) + SEPARATOR : '';
    else this.#prefix = s + SEPARATOR;
  }

  /** What every stored key of this app starts with (queries keep to it). */
  get prefix(): string {
    return this.#prefix;
  }

  /** The key as stored; rejects keys containing the separator (they would be ambiguous). */
  toStored(key: string, storeName: string): string {
    if (key.includes(SEPARATOR)) {
      const message = `input key/keyPrefix '${key}' can't contain '${SEPARATOR}'`;
      throw new SidecarError(Errors.StateIllegalKey, message, {
        resource: { type: 'state', name: storeName },
        fieldViolation: { field: key, description: message },
      });
    }
    return this.#prefix + key;
  }

  /** The key as the app knows it: daprd's rule, the text between the first and second separator. */
  static original(stored: string): string {
    const parts = stored.split(SEPARATOR);
    return parts.length <= 1 ? stored : parts[1];
  }
}
