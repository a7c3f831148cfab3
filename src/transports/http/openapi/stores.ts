import { Errors } from '../../../errors/codes.js';
import { answers, BODY_ERRORS, jsonAnswer, jsonBody, metadataParams, noContent, pathParam, ref, type Json, type Paths } from './parts.js';

/** Secrets, configuration and locks: the other stores an app reads through the sidecar. */

const secretStore = pathParam('storeName', 'The secret store component.');
const configStore = pathParam('storeName', 'The configuration store component.');
const lockStore = pathParam('storeName', 'The lock store component.');
const SECRET_ERRORS = [Errors.SecretStoresNotConfigured, Errors.SecretStoreNotFound, Errors.SecretPermissionDenied, Errors.SecretGet];
const CONFIG_ERRORS = [Errors.ConfigurationStoreNotConfigured, Errors.ConfigurationStoreNotFound];
const LOCK_ERRORS = [Errors.LockStoreNotConfigured, Errors.LockStoreNotFound, ...BODY_ERRORS];
const keys: Json = { name: 'key', in: 'query', required: false, description: 'The keys to read (repeated); none: every key.', schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true };

export const STORES_SCHEMAS: Record<string, Json> = {
  ConfigurationItems: {
    type: 'object',
    additionalProperties: { type: 'object', properties: { value: { type: 'string' }, version: { type: 'string' }, metadata: ref('StringMap') } },
  },
  TryLockRequest: {
    type: 'object',
    required: ['resourceId', 'lockOwner', 'expiryInSeconds'],
    properties: {
      resourceId: { type: 'string', minLength: 1, description: 'Without `||`.' },
      lockOwner: { type: 'string', minLength: 1 },
      expiryInSeconds: { type: 'integer', minimum: 1, maximum: 2147483647 },
    },
  },
  UnlockRequest: {
    type: 'object',
    required: ['resourceId', 'lockOwner'],
    properties: { resourceId: { type: 'string', minLength: 1 }, lockOwner: { type: 'string', minLength: 1 } },
  },
};

/** The configuration routes, under v1.0 and their v1.0-alpha1 aliases. */
function configuration(version: string): Paths {
  const suffix = version === 'v1.0' ? '' : 'Alpha1';
  const tags = ['configuration'];
  return {
    [`/${version}/configuration/{storeName}`]: {
      parameters: [configStore],
      get: {
        tags,
        operationId: `getConfiguration${suffix}`,
        summary: 'Reads configuration items.',
        parameters: [keys, metadataParams],
        responses: answers({ '200': jsonAnswer('The items by key.', ref('ConfigurationItems')), '204': noContent('No such items.') }, ...CONFIG_ERRORS, Errors.ConfigurationGet),
      },
    },
    [`/${version}/configuration/{storeName}/subscribe`]: {
      parameters: [configStore],
      get: {
        tags,
        operationId: `subscribeConfiguration${suffix}`,
        summary: "Watches items; changes are POSTed to the app's `/configuration/{storeName}/{key}`.",
        parameters: [keys, metadataParams],
        responses: answers(
          { '200': jsonAnswer('The subscription.', { type: 'object', required: ['id'], properties: { id: { type: 'string' } } }) },
          ...CONFIG_ERRORS,
          Errors.AppChannelNil,
          Errors.ConfigurationSubscribe,
        ),
      },
    },
    [`/${version}/configuration/{storeName}/{id}/unsubscribe`]: {
      parameters: [configStore, pathParam('id', 'The subscription id.')],
      get: {
        tags,
        operationId: `unsubscribeConfiguration${suffix}`,
        summary: 'Stops a subscription.',
        responses: answers(
          {
            '200': jsonAnswer('Stopped.', { type: 'object', properties: { ok: { const: true } } }),
            '500': jsonAnswer("No such subscription: daprd's own shape, without errorCode.", { type: 'object', required: ['message'], properties: { message: { type: 'string' } } }),
          },
          ...CONFIG_ERRORS,
        ),
      },
    },
  };
}

export const STORES_PATHS: Paths = {
  '/v1.0/secrets/{storeName}/{key}': {
    parameters: [secretStore, pathParam('key', 'The secret name.')],
    get: {
      tags: ['secrets'],
      operationId: 'getSecret',
      summary: 'Reads one secret (its keys and values).',
      parameters: [metadataParams],
      responses: answers({ '200': jsonAnswer('The secret.', ref('StringMap')), '204': noContent('No such secret.') }, ...SECRET_ERRORS),
    },
  },
  '/v1.0/secrets/{storeName}/bulk': {
    parameters: [secretStore],
    get: {
      tags: ['secrets'],
      operationId: 'getBulkSecret',
      summary: 'Reads every secret the app may read.',
      parameters: [metadataParams],
      responses: answers(
        { '200': jsonAnswer('Secrets by name.', { type: 'object', additionalProperties: ref('StringMap') }), '204': noContent('No secrets.') },
        ...SECRET_ERRORS,
      ),
    },
  },
  ...configuration('v1.0'),
  ...configuration('v1.0-alpha1'),
  '/v1.0-alpha1/lock/{storeName}': {
    parameters: [lockStore],
    post: {
      tags: ['lock'],
      operationId: 'tryLock',
      summary: 'Takes a lock on a resource for an owner, for a time.',
      requestBody: jsonBody(ref('TryLockRequest')),
      responses: answers({ '200': jsonAnswer('Whether the lock was taken.', { type: 'object', required: ['success'], properties: { success: { type: 'boolean' } } }) }, ...LOCK_ERRORS, Errors.TryLock),
    },
  },
  '/v1.0-alpha1/unlock/{storeName}': {
    parameters: [lockStore],
    post: {
      tags: ['lock'],
      operationId: 'unlock',
      summary: 'Releases a lock.',
      requestBody: jsonBody(ref('UnlockRequest')),
      responses: answers(
        {
          '200': jsonAnswer('0 success, 1 no such lock, 2 held by another owner, 3 internal error.', { type: 'object', required: ['status'], properties: { status: { enum: [0, 1, 2, 3] } } }),
        },
        ...LOCK_ERRORS,
        Errors.Unlock,
      ),
    },
  },
};
