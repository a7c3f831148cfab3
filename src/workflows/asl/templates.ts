import { AslError, StatesError } from './errors.js';
import { evaluateIntrinsic, type IntrinsicEnv } from './intrinsics/functions.js';
import { looksLikeIntrinsic } from './intrinsics/parser.js';
import { isObject, selectPath } from './paths.js';
import type { ContextObject } from './context.js';

/**
 * Payload templates (spec: "Payload Template"): the JSON of Parameters, ResultSelector and ItemSelector,
 * where a key ending in `.$` has its value replaced by what a path (`$…` on the input, `$$…` on the
 * context object) or an intrinsic function call yields, and the `.$` is dropped from the key.
 */
export function payloadTemplate(template: unknown, input: unknown, ctx?: ContextObject, env: IntrinsicEnv = {}): unknown {
  if (Array.isArray(template)) return template.map((v) => payloadTemplate(v, input, ctx, env));
  if (!isObject(template)) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = resolveDynamic(key, value, input, ctx, env);
    else out[key] = payloadTemplate(value, input, ctx, env);
  }
  return out;
}

/** The value of one `.$` field: an intrinsic call or a path that must match something. */
export function resolveDynamic(key: string, value: unknown, input: unknown, ctx: ContextObject | undefined, env: IntrinsicEnv): unknown {
  if (typeof value !== 'string') {
    throw new AslError(StatesError.ParameterPathFailure, `the field "${key}" must hold a path or an intrinsic function, got ${JSON.stringify(value)}`);
  }
  if (looksLikeIntrinsic(value)) return evaluateIntrinsic(value, input, ctx, env);
  return selectPath(value, input, ctx, StatesError.ParameterPathFailure, `"${key}"`);
}
