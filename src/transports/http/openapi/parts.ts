import { Errors, type ErrorKind } from '../../../errors/codes.js';

/**
 * Builders for the OpenAPI document of the HTTP API (openapi/document.ts). Error answers are built from
 * the error catalogue's kinds, so a documented code and status cannot drift from what the API sends.
 */

export type Json = Record<string, unknown>;
export type Operation = Json;
/** A path item, and the fastify route pattern where `{name}` → `:name` does not give it. */
export type PathItem = Json & { 'x-fastify-url'?: string };
export type Paths = Record<string, PathItem>;

export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** A path parameter (always a string; URL-unescaped before use, as in daprd). */
export function pathParam(name: string, description: string): Json {
  return { name, in: 'path', required: true, description, schema: { type: 'string', minLength: 1 } };
}

/** `metadata.<name>=<value>` query parameters, passed to the component. */
export const metadataParams: Json = {
  name: 'metadata',
  in: 'query',
  description: '`metadata.<name>=<value>` parameters: the prefix is removed and the rest reaches the component (first value wins).',
  style: 'form',
  explode: true,
  schema: { type: 'object', additionalProperties: { type: 'string' } },
};

export function jsonBody(schema: Json, description?: string, required = true): Json {
  return { required, ...(description ? { description } : {}), content: { 'application/json': { schema } } };
}

/** A body read as bytes whatever its Content-Type (publish, metadata values, invocation). */
export function anyBody(description: string): Json {
  return { required: false, description, content: { '*/*': { schema: {} } } };
}

export const noContent = (description: string): Json => ({ description });
export const jsonAnswer = (description: string, schema: Json): Json => ({ description, content: { 'application/json': { schema } } });

/**
 * Error answers per HTTP status, each `{errorCode, message, details?}` with the codes that status can
 * carry on this operation. Kinds sharing a code under several statuses (ERR_STATE_SAVE…) are listed by kind.
 */
export function errors(...kinds: ErrorKind[]): Record<string, Json> {
  const byStatus = new Map<number, Set<string>>();
  for (const k of kinds) byStatus.set(k.http, (byStatus.get(k.http) ?? new Set()).add(k.code));
  const out: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: [...codes].join(', '),
      content: { 'application/json': { schema: { allOf: [ref('Error'), { properties: { errorCode: { enum: [...codes] } } }] } } },
    };
  }
  return out;
}

/** An operation's own answers and its error answers; a status with both takes either body (anyOf). */
export function answers(own: Record<string, Json>, ...kinds: ErrorKind[]): Record<string, Json> {
  const out = { ...own };
  for (const [status, answer] of Object.entries(errors(...kinds))) {
    const mine = out[status] as { description: string; content: Record<string, { schema: Json }> } | undefined;
    if (!mine) {
      out[status] = answer;
      continue;
    }
    const theirs = (answer.content as Record<string, { schema: Json }>)['application/json'].schema;
    const schema = mine.content['application/json'].schema;
    out[status] = { description: `${mine.description} Or ${answer.description}.`, content: { 'application/json': { schema: { anyOf: [schema, theirs] } } } };
  }
  return out;
}

/** Errors any operation with a body can meet before its route runs: too large a body, a bad URL, no body budget left (503). */
export const BODY_ERRORS: ErrorKind[] = [Errors.RequestTooLarge, Errors.MalformedRequest, Errors.BodyBudgetExhausted];

/** One operation under several methods (POST and PUT alike, as daprd routes them). */
export function methods(list: readonly string[], operation: (method: string) => Operation): PathItem {
  return Object.fromEntries(list.map((m) => [m.toLowerCase(), operation(m)]));
}

/** The schemas every part refers to. */
export const SHARED_SCHEMAS: Record<string, Json> = {
  Error: {
    type: 'object',
    description: "Dapr's error body: the code clients match on, a message, and for errors daprd reports in the rich model google.rpc details.",
    required: ['errorCode', 'message'],
    properties: {
      errorCode: { type: 'string' },
      message: { type: 'string' },
      details: { type: 'array', items: { type: 'object', required: ['@type'], properties: { '@type': { type: 'string' } } } },
    },
  },
  StringMap: { type: 'object', additionalProperties: { type: 'string' } },
};
