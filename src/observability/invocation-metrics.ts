import type { RemoteInvoker } from '../core/invocation/types.js';
import type { Metrics } from './metrics.js';

/**
 * Calls to other sidecars, counted as daprd counts them on the calling side: one request sent per
 * attempt, one response received with its HTTP status (or the gRPC code of a call that got none)
 * and the time until the answer's headers arrived.
 */
export function observedRemote(remote: RemoteInvoker, metrics: Metrics): RemoteInvoker {
  return {
    async invoke(address, target, req, buffered) {
      metrics.invocationSent(target.appId);
      const started = performance.now();
      try {
        const res = await remote.invoke(address, target, req, buffered);
        metrics.invocationAnswered(target.appId, res.status, performance.now() - started);
        return res;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        metrics.invocationAnswered(target.appId, typeof code === 'number' ? code : 2, performance.now() - started);
        throw err;
      }
    },
  };
}
