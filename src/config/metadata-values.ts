import { randomUUID } from 'node:crypto';
import type { MetadataItem } from './component-envelope.js';

export interface ValueContext {
  appId: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Resolves one `spec.metadata` item to its string value: `value` (any YAML scalar, objects as JSON) with
 * daprd's `{uuid}`, `{appID}`, `{podName}`, `{namespace}` templates, or `envRef` under daprd's deny rules.
 * `secretKeyRef` needs a secret store and is resolved by the caller. Throws with a user-facing message.
 */
export function resolvePlainValue(item: MetadataItem, ctx: ValueContext): string {
  if (item.value !== undefined && item.value !== null) return applyTemplates(stringify(item.value), ctx);
  if (item.envRef !== undefined) return readEnvRef(item.envRef, ctx.env);
  return '';
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function applyTemplates(value: string, ctx: ValueContext): string {
  if (!value.includes('{')) return value;
  return value.replace(/\{(uuid|appID|podName|namespace)\}/g, (_, token: string) => {
    switch (token) {
      case 'uuid':
        return randomUUID();
      case 'appID':
        return ctx.appId;
      case 'podName':
        if (!ctx.env.POD_NAME) throw new Error('uses {podName} but the POD_NAME environment variable is not set');
        return ctx.env.POD_NAME;
      default:
        return ctx.env.NAMESPACE ? `${ctx.env.NAMESPACE}.${ctx.appId}` : ctx.appId;
    }
  });
}

function readEnvRef(name: string, env: NodeJS.ProcessEnv): string {
  if (/\s/.test(name)) throw new Error(`envRef "${name}" is not a valid variable name`);
  if (name === 'APP_API_TOKEN' || name.toUpperCase().startsWith('DAPR_')) {
    throw new Error(`envRef "${name}" is not allowed: APP_API_TOKEN and DAPR_* variables cannot be read by components`);
  }
  const allow = env.DAPR_ENV_KEYS?.split(/\s+/).filter(Boolean);
  if (allow && !allow.includes(name)) throw new Error(`envRef "${name}" is not in DAPR_ENV_KEYS`);
  const value = env[name];
  if (value === undefined) throw new Error(`envRef "${name}": the environment variable is not set`);
  return value;
}
