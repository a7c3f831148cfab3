import type { Sidecar } from '../sidecar.js';

/**
 * `--dapr-block-shutdown-duration`, as daprd applies it: after a termination signal the sidecar keeps
 * serving its app until the duration has passed or the app turns unhealthy (with app health checks on),
 * whichever comes first. Resolves with what ended the wait; `skip` (a second signal) ends it at once.
 */
export function blockShutdown(sidecar: Sidecar, ms: number, skip: Promise<void>): Promise<'elapsed' | 'app unhealthy' | 'signal'> {
  return new Promise((resolve) => {
    const health = sidecar.appHealth;
    const onChange = () => {
      if (health && !health.healthy) done('app unhealthy');
    };
    const timer = setTimeout(() => done('elapsed'), ms);
    const done = (why: 'elapsed' | 'app unhealthy' | 'signal') => {
      clearTimeout(timer);
      health?.off('change', onChange);
      resolve(why);
    };
    health?.on('change', onChange);
    onChange();
    void skip.then(() => done('signal'));
  });
}
