import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { Binding } from '../../../contracts/binding.js';

export const cronBinding: ComponentDescriptor<Binding> = {
  type: 'bindings.cron',
  category: 'bindings',
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      schedule: { type: 'string', description: 'A 5- or 6-field cron expression (seconds first when 6), `@every <duration>`, or @yearly/@monthly/@weekly/@daily/@hourly.' },
    },
    required: ['schedule'],
  },
  load: async () => (await import('./cron-binding.js')).createCronBinding,
};
