import type { ErrorObject, ValidateFunction } from 'ajv';
import { compiledValidator } from './compiled-validators.js';

/** Stage one of Component validation: the Dapr envelope, whatever the adapter. */
export const componentEnvelopeSchema = {
  type: 'object',
  required: ['metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, pattern: '^[^\\s/]+$' },
        namespace: { type: 'string' },
      },
    },
    spec: {
      type: 'object',
      required: ['type', 'version'],
      properties: {
        type: { type: 'string', pattern: '^[a-z0-9]+\\.[A-Za-z0-9.\\-_]+$' },
        version: { type: 'string', minLength: 1 },
        initTimeout: { type: 'string' },
        ignoreErrors: { type: 'boolean' },
        metadata: {
          type: ['array', 'null'],
          items: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1 },
              value: {},
              secretKeyRef: {
                type: 'object',
                required: ['name'],
                additionalProperties: false,
                properties: { name: { type: 'string', minLength: 1 }, key: { type: 'string' } },
              },
              envRef: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
    auth: { type: 'object', properties: { secretStore: { type: 'string' } } },
    scopes: { type: ['array', 'null'], items: { type: 'string' } },
  },
} as const;

export interface MetadataItem {
  name: string;
  value?: unknown;
  secretKeyRef?: { name: string; key?: string };
  envRef?: string;
}

export interface ComponentEnvelope {
  metadata: { name: string; namespace?: string };
  spec: { type: string; version: string; initTimeout?: string; ignoreErrors?: boolean; metadata?: MetadataItem[] | null };
  auth?: { secretStore?: string };
  scopes?: string[] | null;
}

// Coercion is on: `version: 1` and `ignoreErrors: "true"` are what people write, and mean no harm.
// Compiled on first use: the embedded defaults start without reading any YAML.
let validate: ValidateFunction<ComponentEnvelope> | undefined;

export function validateEnvelope(doc: unknown): { ok: true; value: ComponentEnvelope } | { ok: false; errors: ErrorObject[] } {
  validate ??= compiledValidator<ComponentEnvelope>('componentEnvelope', componentEnvelopeSchema);
  return validate(doc) ? { ok: true, value: doc } : { ok: false, errors: validate.errors ?? [] };
}
