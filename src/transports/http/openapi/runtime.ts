import { Errors } from '../../../errors/codes.js';
import { answers, anyBody, jsonAnswer, noContent, pathParam, ref, type Json, type Paths } from './parts.js';

/** The routes about the sidecar itself: health, metadata, shutdown and this document. */

const tags = ['runtime'];

export const RUNTIME_SCHEMAS: Record<string, Json> = {
  Metadata: {
    type: 'object',
    required: ['id', 'runtimeVersion'],
    description: 'As daprd writes it: empty collections left out.',
    properties: {
      id: { type: 'string' },
      runtimeVersion: { type: 'string' },
      enabledFeatures: { type: 'array', items: { type: 'string' } },
      components: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' }, version: { type: 'string' }, capabilities: { type: 'array', items: { type: 'string' } } } },
      },
      extended: ref('StringMap'),
      subscriptions: { type: 'array', items: { type: 'object' } },
      httpEndpoints: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      appConnectionProperties: { type: 'object' },
      actorRuntime: { type: 'object' },
      workflows: { type: 'object' },
      resiliencies: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
    },
  },
};

export const RUNTIME_PATHS: Paths = {
  '/v1.0/healthz': {
    get: {
      tags,
      operationId: 'healthz',
      summary: 'The sidecar is ready (components loaded, API serving, app reachable); no token needed.',
      parameters: [{ name: 'appid', in: 'query', required: false, description: 'Fails unless it is this sidecar’s app id.', schema: { type: 'string' } }],
      responses: answers({ '204': noContent('Healthy.') }, Errors.HealthNotReady, Errors.HealthAppIdNotMatch),
    },
  },
  '/v1.0/healthz/outbound': {
    get: {
      tags,
      operationId: 'healthzOutbound',
      summary: 'The sidecar can serve its building blocks (components loaded); no token needed.',
      responses: answers({ '204': noContent('Healthy.') }, Errors.OutboundHealthNotReady),
    },
  },
  '/v1.0/metadata': {
    get: { tags, operationId: 'getMetadata', summary: "The sidecar's app id, components, subscriptions and more.", responses: { '200': jsonAnswer('The metadata.', ref('Metadata')) } },
  },
  '/v1.0/metadata/{key}': {
    parameters: [pathParam('key', 'The attribute name.')],
    put: {
      tags,
      operationId: 'setMetadata',
      summary: 'Sets a custom attribute, reported under `extended`.',
      requestBody: anyBody('The value, as text.'),
      responses: answers({ '204': noContent('Set.') }, Errors.RequestTooLarge),
    },
  },
  '/v1.0/shutdown': {
    post: {
      tags,
      operationId: 'shutdown',
      summary: 'Stops the sidecar gracefully after answering (`dapr-force-shutdown: true`: at once).',
      parameters: [{ name: 'dapr-force-shutdown', in: 'header', required: false, schema: { enum: ['true', 'false'] } }],
      responses: { '204': noContent('Stopping.') },
    },
  },
  '/v1.0-alpha1/openapi.json': {
    get: {
      tags,
      operationId: 'getOpenApi',
      summary: "This document: the OpenAPI 3.1 contract of the sidecar's HTTP API (Mecha's own).",
      responses: { '200': jsonAnswer('The document.', { type: 'object', required: ['openapi', 'paths'] }) },
    },
  },
};
