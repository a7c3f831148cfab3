import { UNSERVED_HTTP } from '../../../core/unserved-apis.js';
import { Errors, type ErrorKind } from '../../../errors/codes.js';
import { errors, jsonBody, pathParam, type Paths } from './parts.js';

/**
 * The building blocks Mecha answers but does not serve (actors, workflows, jobs, conversation, crypto),
 * from the same table the routes are registered from; their answers are the errors that table builds.
 */

const CTX = { appId: 'app', namespace: 'default' };
/** Inputs that reach each of the table's answers (jobs answer by what the body holds). */
const INPUTS = [{ fields: {}, present: new Set<string>() }, { fields: { name: 'n' }, present: new Set(['schedule']) }];

const family = (url: string) => url.split('/')[2];

export function unservedPaths(): Paths {
  const paths: Paths = {};
  for (const route of UNSERVED_HTTP) {
    const kinds: ErrorKind[] = INPUTS.map((input) => route.answer(input, CTX).kind);
    if (route.body) kinds.push(Errors.MalformedRequest, Errors.RequestTooLarge);
    for (const url of route.urls) {
      const path = url.replace(/:(\w+)/g, '{$1}');
      const item = (paths[path] ??= { parameters: [...url.matchAll(/:(\w+)/g)].map(([, name]) => pathParam(name, `The ${name}.`)) });
      for (const method of route.methods) {
        item[method.toLowerCase()] = {
          tags: [family(url)],
          operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
          summary: 'Not served by Mecha: answered as daprd answers without placement, scheduler or such components.',
          ...(route.body ? { requestBody: jsonBody({ type: route.body === 'array' ? 'array' : 'object' }) } : {}),
          responses: errors(...kinds),
        };
      }
    }
  }
  return paths;
}
