import { Errors } from '../../../errors/codes.js';
import { anyBody, answers, BODY_ERRORS, jsonAnswer, jsonBody, metadataParams, methods, noContent, pathParam, ref, type Json, type Paths } from './parts.js';

/** Publish, bulk publish and output bindings: the messages an app sends out. */

const pubsub = pathParam('pubsubname', 'The pub/sub component.');
const topic = pathParam('topic', 'The topic; it may hold slashes (`orders/eu`), everything after the pub/sub name is the topic.');
const PUBSUB_ERRORS = [Errors.PubSubNotConfigured, Errors.PubSubEmpty, Errors.PubSubNotFound, Errors.PubSubTopicEmpty, Errors.PubSubForbidden, Errors.PubSubRequestMetadata];

export const MESSAGING_SCHEMAS: Record<string, Json> = {
  BulkPublishEntry: {
    type: 'object',
    required: ['entryId', 'event', 'contentType'],
    properties: {
      entryId: { type: 'string', description: 'Unique within the request.' },
      event: { description: 'JSON for a JSON or CloudEvent content type, a string for text, base64 for binary ones.' },
      contentType: { type: 'string' },
      metadata: ref('StringMap'),
    },
  },
  BulkPublishFailure: {
    type: 'object',
    required: ['failedEntries', 'errorCode'],
    properties: {
      failedEntries: { type: 'array', items: { type: 'object', properties: { entryId: { type: 'string' }, error: { type: 'string' } } } },
      errorCode: { const: Errors.PubSubPublishMessage.code },
    },
  },
  BindingRequest: {
    type: 'object',
    properties: { operation: { type: 'string' }, data: { description: 'Any JSON; the binding gets its JSON text.' }, metadata: ref('StringMap') },
  },
};

const bulkPublish = (version: string): Json => ({
  parameters: [pubsub, topic],
  'x-fastify-url': `/${version}/publish/bulk/:pubsubname/*`,
  ...methods(['POST', 'PUT'], (m) => ({
    tags: ['pubsub'],
    operationId: `bulkPublish${m}${version === 'v1.0' ? '' : 'Alpha1'}`,
    summary: 'Publishes several events in one request.',
    parameters: [metadataParams],
    requestBody: jsonBody({ type: 'array', items: ref('BulkPublishEntry') }),
    responses: answers(
      { '204': noContent('Every entry published.'), '500': jsonAnswer('Some entries failed: ERR_PUBSUB_PUBLISH_MESSAGE, with the failed entries.', ref('BulkPublishFailure')) },
      ...PUBSUB_ERRORS,
      Errors.PubSubUnmarshalEvents,
      Errors.PubSubMarshalEvents,
      Errors.RequestTooLarge,
    ),
  })),
});

export const MESSAGING_PATHS: Paths = {
  '/v1.0/publish/{pubsubname}/{topic}': {
    parameters: [pubsub, topic],
    'x-fastify-url': '/v1.0/publish/:pubsubname/*',
    ...methods(['POST', 'PUT'], (m) => ({
      tags: ['pubsub'],
      operationId: `publish${m}`,
      summary: 'Publishes one event, wrapped in a CloudEvent unless `metadata.rawPayload=true` or it is one already.',
      parameters: [metadataParams],
      requestBody: anyBody('The event, as bytes of its Content-Type (`application/cloudevents+json`: a CloudEvent of its own).'),
      responses: answers({ '204': noContent('Published.') }, ...PUBSUB_ERRORS, Errors.PubSubCloudEventCreation, Errors.PubSubPublishMessage, Errors.RequestTooLarge),
    })),
  },
  '/v1.0/publish/bulk/{pubsubname}/{topic}': bulkPublish('v1.0'),
  '/v1.0-alpha1/publish/bulk/{pubsubname}/{topic}': bulkPublish('v1.0-alpha1'),
  '/v1.0/bindings/{name}': {
    parameters: [pathParam('name', 'The output binding component.')],
    ...methods(['POST', 'PUT'], (m) => ({
      tags: ['bindings'],
      operationId: `invokeBinding${m}`,
      summary: 'Invokes an output binding; its answer metadata comes back as `metadata.*` headers.',
      requestBody: jsonBody(ref('BindingRequest')),
      responses: answers(
        { '200': { description: "The binding's answer data.", content: { '*/*': { schema: {} } } }, '204': noContent('The binding answered no data.') },
        ...BODY_ERRORS,
        Errors.InvokeOutputBinding,
      ),
    })),
  },
};
