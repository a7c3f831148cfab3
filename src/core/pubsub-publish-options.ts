import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import { parseDuration } from '../util/duration.js';

const OVERRIDE_PREFIX = 'cloudevent.';

/** What the sidecar itself reads from publish metadata; the whole map still goes to the broker. */
export interface PublishOptions {
  rawPayload: boolean;
  ttlInSeconds?: number;
  /** `cloudevent.<name>` entries with the prefix removed and the name lower-cased. */
  overrides: Record<string, string>;
}

/** Parses `rawPayload`, `ttlInSeconds` / `ttl` and the CloudEvent overrides; bad values name their field. */
export function parsePublishOptions(metadata: Record<string, string>): PublishOptions {
  const overrides: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (k.toLowerCase().startsWith(OVERRIDE_PREFIX)) overrides[k.slice(OVERRIDE_PREFIX.length).toLowerCase()] = v;
  }
  return { rawPayload: parseRawPayload(metadata.rawPayload), ttlInSeconds: parseTtl(metadata), overrides };
}

/** Go's strconv.ParseBool, which daprd uses for `rawPayload`. */
export function parseRawPayload(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new SidecarError(Errors.PubSubRequestMetadata, `failed deserializing metadata: metadata.rawPayload must be a boolean, got "${value}"`);
}

function parseTtl(metadata: Record<string, string>): number | undefined {
  const seconds = metadata.ttlInSeconds;
  if (seconds !== undefined && seconds !== '') {
    if (!/^[+-]?\d+$/.test(seconds.trim())) {
      throw new SidecarError(Errors.PubSubRequestMetadata, `failed deserializing metadata: metadata.ttlInSeconds must be an integer, got "${seconds}"`);
    }
    const n = Number(seconds);
    return n > 0 ? n : undefined;
  }
  const duration = metadata.ttl;
  if (duration === undefined || duration === '') return undefined;
  const ms = parseDuration(duration, 's');
  if (ms === undefined) {
    throw new SidecarError(Errors.PubSubRequestMetadata, `failed deserializing metadata: metadata.ttl must be a duration such as "30s", got "${duration}"`);
  }
  return ms > 0 ? Math.ceil(ms / 1000) : undefined;
}
