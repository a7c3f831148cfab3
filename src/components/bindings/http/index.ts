import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { Binding } from '../../../contracts/binding.js';

export const httpBinding: ComponentDescriptor<Binding> = {
  type: 'bindings.http',
  category: 'bindings',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'Base URL; the request metadata `path` is appended.' },
      responseTimeout: { type: 'string', format: 'duration', default: '30s', description: 'How long a call may take.' },
      maxResponseBodySize: { type: 'integer', minimum: 1, default: 104857600, description: 'Largest response body read, in bytes.' },
      securityToken: { type: 'string', sensitive: true, description: 'Sent in securityTokenHeader on every call.' },
      securityTokenHeader: { type: 'string', description: 'Header that carries securityToken.' },
      errorIfNot2XX: { type: 'boolean', default: true, description: 'Fail the call when the answer is not 2xx (overridable per call).' },
    },
    required: ['url'],
  },
  load: async () => (await import('./http-binding.js')).createHttpBinding,
};
