import { readFile } from 'node:fs/promises';
import type { ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { describeAjvError } from './ajv.js';
import { compiledValidator } from './compiled-validators.js';
import { ResourceLoadError, yamlSyntaxProblem, type ResourceProblem } from './resource-problem.js';
import type { MetricsSpec } from '../observability/metrics.js';
import { tracingSpecSchema, describeTracingError, type TracingSpec } from './tracing-spec.js';

/** `accessControl` of a Configuration: who may call this app, and which operations. */
export interface AccessControlSpec {
  defaultAction?: 'allow' | 'deny';
  trustDomain?: string;
  policies?: Array<{
    appId: string;
    defaultAction?: 'allow' | 'deny';
    trustDomain?: string;
    namespace?: string;
    operations?: Array<{ name: string; httpVerb?: string[]; action: 'allow' | 'deny' }>;
  }>;
}

/** The parts of a Configuration's spec the sidecar reads; other keys are accepted and kept. */
export interface ConfigurationSpec {
  accessControl?: AccessControlSpec;
  nameResolution?: { component?: string; version?: string; configuration?: Record<string, unknown> };
  secrets?: { scopes?: Array<{ storeName: string; defaultAccess?: 'allow' | 'deny'; allowedSecrets?: string[]; deniedSecrets?: string[] }> };
  tracing?: TracingSpec;
  features?: Array<{ name: string; enabled: boolean }>;
  /** `metrics`, or the older `metric`: merged by `metricsSpecOf`. */
  metrics?: MetricsSpec;
  metric?: MetricsSpec;
  [key: string]: unknown;
}

const action = { type: 'string', enum: ['allow', 'deny'] } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;

const metricsSchema = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    recordErrorCodes: { type: 'boolean' },
    http: {
      type: 'object',
      properties: { increasedCardinality: { type: 'boolean' }, excludeVerbs: { type: 'boolean' }, pathMatching: { type: 'array', items: { type: 'string', minLength: 1 } } },
    },
    latencyDistributionBuckets: { type: 'array', items: { type: 'integer', minimum: 0 } },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          labels: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string', minLength: 1 }, regex: { type: 'object', additionalProperties: { type: 'string', format: 'regex' } } },
            },
          },
        },
      },
    },
  },
} as const;

export const configurationSchema = {
  type: 'object',
  required: ['kind'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { const: 'Configuration' },
    metadata: { type: 'object', properties: { name: { type: 'string' } } },
    spec: {
      type: 'object',
      properties: {
        accessControl: {
          type: 'object',
          properties: {
            defaultAction: action,
            trustDomain: { type: 'string' },
            policies: {
              type: 'array',
              items: {
                type: 'object',
                required: ['appId'],
                properties: {
                  appId: { type: 'string', minLength: 1 },
                  defaultAction: action,
                  trustDomain: { type: 'string' },
                  namespace: { type: 'string' },
                  operations: {
                    type: 'array',
                    items: { type: 'object', required: ['name', 'action'], properties: { name: { type: 'string', minLength: 1 }, httpVerb: strings, action } },
                  },
                },
              },
            },
          },
        },
        nameResolution: {
          type: 'object',
          properties: { component: { type: 'string' }, version: { type: 'string' }, configuration: { type: 'object' } },
        },
        secrets: {
          type: 'object',
          properties: {
            scopes: {
              type: 'array',
              items: {
                type: 'object',
                required: ['storeName'],
                properties: { storeName: { type: 'string', minLength: 1 }, defaultAccess: action, allowedSecrets: strings, deniedSecrets: strings },
              },
            },
          },
        },
        metrics: metricsSchema,
        metric: metricsSchema,
        tracing: tracingSpecSchema,
        features: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, enabled: { type: 'boolean' } } } },
      },
    },
  },
} as const;

// Compiled on first use: most runs have no --config, and compiling costs startup time.
let validate: ValidateFunction | undefined;

/** `$VAR` and `${VAR}` replaced from the environment before parsing, as daprd does for standalone files. */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a?: string, b?: string) => env[(a ?? b)!] ?? '');
}

/**
 * Loads the `--config` files, in order, each applied over the previous (later files win key by key at
 * the top of spec). All problems of all files are reported together.
 */
export async function loadConfiguration(files: readonly string[], env: NodeJS.ProcessEnv): Promise<ConfigurationSpec> {
  const merged: ConfigurationSpec = {};
  const problems: ResourceProblem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      problems.push({ file, message: `cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      continue;
    }
    const expanded = expandEnv(text, env);
    const doc = parseDocument(expanded);
    if (doc.errors.length > 0) {
      problems.push(yamlSyntaxProblem(file, expanded, doc.errors[0]));
      continue;
    }
    const content = doc.toJS() as unknown;
    validate ??= compiledValidator('configuration', configurationSchema);
    if (!validate(content)) {
      for (const e of validate.errors ?? []) problems.push({ file, ...describeTracingError(e, describeAjvError(e, '')) });
      continue;
    }
    Object.assign(merged, (content as { spec?: ConfigurationSpec }).spec ?? {});
  }
  if (problems.length > 0) throw new ResourceLoadError(problems);
  return merged;
}

/** daprd's reading of the two spellings: each field set under `metrics` replaces the one under `metric`. */
export function metricsSpecOf(spec: ConfigurationSpec): MetricsSpec {
  const merged: MetricsSpec = { ...spec.metric };
  for (const [k, v] of Object.entries(spec.metrics ?? {})) if (v !== undefined && !(k === 'rules' && (v as unknown[]).length === 0)) Object.assign(merged, { [k]: v });
  return merged;
}
