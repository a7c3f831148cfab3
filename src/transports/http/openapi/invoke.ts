import { Errors } from '../../../errors/codes.js';
import { anyBody, errors, pathParam, type Paths } from './parts.js';

/** Service invocation: the explicit route. Every unmatched route is invocation too, as in daprd (by `dapr-app-id`). */

const VERBS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'];

export const INVOKE_PATHS: Paths = {
  '/v1.0/invoke/{appId}/method/{method}': {
    parameters: [
      pathParam('appId', 'The target app id (`id.namespace` names another namespace), or an HTTPEndpoint resource name or URL.'),
      pathParam('method', 'The method: the path on the target app (it may hold slashes).'),
    ],
    'x-fastify-url': '/v1.0/invoke/*',
    ...Object.fromEntries(
      VERBS.map((verb) => [
        verb,
        {
          tags: ['invoke'],
          operationId: `invoke${verb[0].toUpperCase()}${verb.slice(1)}`,
          summary: 'Calls a method on an app through its sidecar; the query string and headers are forwarded.',
          ...(verb === 'get' || verb === 'head' || verb === 'options' ? {} : { requestBody: anyBody("Streamed to the app as it is, with its Content-Type.") }),
          responses: {
            ...errors(Errors.DirectInvokeNoAppId, Errors.DirectInvoke, Errors.DirectInvokeForbidden, Errors.RequestTooLarge),
            default: { description: "The app's answer: its status, headers and body as it sent them." },
          },
        },
      ]),
    ),
  },
};
