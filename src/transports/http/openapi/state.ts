import { Errors } from '../../../errors/codes.js';
import { answers, BODY_ERRORS, jsonAnswer, jsonBody, metadataParams, methods, noContent, pathParam, ref, type Json, type Paths } from './parts.js';

/** `/v1.0/state/…` and the query APIs. */

const tags = ['state'];
const store = pathParam('storeName', 'The state store component.');
const key = pathParam('key', "The key, as the app knows it (the store sees it prefixed with the app's id by default).");
const STORE_ERRORS = [Errors.StateStoreNotConfigured, Errors.StateStoreNotFound];
const options = {
  type: 'object',
  properties: { concurrency: { enum: ['first-write', 'last-write', ''] }, consistency: { enum: ['eventual', 'strong', ''] } },
};
const queryParam = (name: string, values: string[]): Json => ({ name, in: 'query', required: false, schema: { enum: values } });

export const STATE_SCHEMAS: Record<string, Json> = {
  SaveStateItem: {
    type: 'object',
    required: ['key'],
    properties: {
      key: { type: 'string', minLength: 1 },
      value: { description: 'Any JSON value; stored as its JSON text.' },
      etag: { type: 'string' },
      options,
      metadata: ref('StringMap'),
    },
  },
  BulkStateItem: {
    type: 'object',
    required: ['key'],
    properties: { key: { type: 'string' }, data: {}, etag: { type: 'string' }, metadata: ref('StringMap'), error: { type: 'string' } },
  },
  StateQuery: {
    type: 'object',
    description: "daprd's query: a filter of EQ, NEQ, GT, GTE, LT, LTE, IN, AND, OR on dotted paths, a sort and a page.",
    properties: {
      filter: { type: 'object' },
      sort: { type: 'array', items: { type: 'object', required: ['key'], properties: { key: { type: 'string' }, order: { enum: ['ASC', 'DESC'] } } } },
      page: { type: 'object', properties: { limit: { type: 'integer', minimum: 0 }, token: { type: 'string' } } },
    },
  },
  StateQueryPage: {
    type: 'object',
    required: ['results'],
    properties: {
      results: { type: 'array', items: { type: 'object', required: ['key', 'data'], properties: { key: { type: 'string' }, data: {}, etag: { type: 'string' } } } },
      token: { type: 'string', description: 'Asks for the next page (page.token of the query, token of the SQL body).' },
    },
  },
  StateSqlRequest: {
    type: 'object',
    required: ['query'],
    properties: {
      query: {
        type: 'string',
        description: 'SELECT * | path, … FROM <store> [WHERE =, IN, AND, OR, ( )] [ORDER BY path ASC|DESC, …] [LIMIT n] [OFFSET n] (docs/api-openapi.md).',
        examples: ["SELECT * FROM statestore WHERE value.person.org IN ('Dev', 'Ops') AND paid = true ORDER BY qty DESC LIMIT 10"],
      },
      token: { type: 'string', description: 'The token of the previous answer, to continue a query with LIMIT.' },
    },
  },
};

const QUERY_ERRORS = [...STORE_ERRORS, Errors.StateQueryNotSupported, Errors.StateQuery, Errors.RequestTooLarge];
const queryPage = { '200': jsonAnswer('A page of results.', ref('StateQueryPage')), '204': noContent('Nothing matches.') };

export const STATE_PATHS: Paths = {
  '/v1.0/state/{storeName}': {
    parameters: [store],
    ...methods(['POST', 'PUT'], (m) => ({
      tags,
      operationId: `saveState${m}`,
      summary: 'Saves state items.',
      parameters: [metadataParams],
      requestBody: jsonBody({ type: 'array', items: ref('SaveStateItem') }),
      responses: answers({ '204': noContent('Saved.') }, ...STORE_ERRORS, ...BODY_ERRORS, Errors.StateIllegalKey, Errors.StateSave, Errors.StateSaveETagMismatch, Errors.StateSaveETagInvalid),
    })),
  },
  '/v1.0/state/{storeName}/{key}': {
    parameters: [store, key],
    get: {
      tags,
      operationId: 'getState',
      summary: 'Reads one key.',
      parameters: [queryParam('consistency', ['eventual', 'strong']), metadataParams],
      responses: answers(
        {
          '200': { description: 'The stored value, with its ETag in `etag` and store metadata in `metadata.*` headers.', content: { 'application/json': { schema: {} } } },
          '204': noContent('No such key.'),
        },
        ...STORE_ERRORS,
        Errors.StateIllegalKey,
        Errors.StateGet,
      ),
    },
    delete: {
      tags,
      operationId: 'deleteState',
      summary: 'Deletes one key; `If-Match` makes it conditional on the ETag.',
      parameters: [
        { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } },
        queryParam('concurrency', ['first-write', 'last-write']),
        queryParam('consistency', ['eventual', 'strong']),
        metadataParams,
      ],
      responses: answers({ '204': noContent('Deleted (or there was nothing to delete).') }, ...STORE_ERRORS, Errors.StateIllegalKey, Errors.StateDelete, Errors.StateDeleteETagMismatch, Errors.StateDeleteETagInvalid),
    },
  },
  '/v1.0/state/{storeName}/bulk': {
    parameters: [store],
    ...methods(['POST', 'PUT'], (m) => ({
      tags,
      operationId: `getBulkState${m}`,
      summary: 'Reads several keys.',
      parameters: [metadataParams],
      requestBody: jsonBody({
        type: 'object',
        properties: { keys: { type: 'array', items: { type: 'string' } }, parallelism: { type: 'integer' }, metadata: ref('StringMap') },
      }),
      responses: answers({ '200': jsonAnswer('One item per key, in order; a failed key has `error`.', { type: 'array', items: ref('BulkStateItem') }) }, ...STORE_ERRORS, ...BODY_ERRORS, Errors.StateIllegalKey, Errors.StateBulkGet),
    })),
  },
  '/v1.0/state/{storeName}/transaction': {
    parameters: [store],
    ...methods(['POST', 'PUT'], (m) => ({
      tags,
      operationId: `executeStateTransaction${m}`,
      summary: 'Applies upserts and deletes all together.',
      parameters: [metadataParams],
      requestBody: jsonBody({
        type: 'object',
        properties: {
          operations: { type: 'array', items: { type: 'object', required: ['operation', 'request'], properties: { operation: { enum: ['upsert', 'delete'] }, request: ref('SaveStateItem') } } },
          metadata: ref('StringMap'),
        },
      }),
      responses: answers(
        { '204': noContent('Applied.') },
        ...STORE_ERRORS,
        ...BODY_ERRORS,
        Errors.StateTransactionsNotSupported,
        Errors.StateIllegalKey,
        Errors.StateOperationNotSupported,
        Errors.StateTooManyTransactions,
        Errors.StateTransaction,
      ),
    })),
  },
  '/v1.0-alpha1/state/{storeName}/query': {
    parameters: [store],
    ...methods(['POST', 'PUT'], (m) => ({
      tags,
      operationId: `queryState${m}`,
      summary: "Queries a store with daprd's filter, sort and page JSON.",
      parameters: [metadataParams],
      requestBody: jsonBody(ref('StateQuery'), 'A bad query is a 500 ERR_STATE_QUERY, as daprd answers it.', false),
      responses: answers(queryPage, ...QUERY_ERRORS),
    })),
  },
  '/v1.0-alpha1/state/{storeName}/sql': {
    parameters: [store],
    post: {
      tags,
      operationId: 'queryStateSql',
      summary: "Queries a store with a SQL SELECT, translated into the query API's filter (Mecha's own).",
      parameters: [metadataParams],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ref('StateSqlRequest') },
          'text/plain': { schema: { type: 'string' } },
        },
      },
      responses: answers(queryPage, ...QUERY_ERRORS, Errors.MalformedRequest, Errors.StateQuerySql),
    },
  },
};
