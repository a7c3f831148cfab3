import type { Metadata } from '@grpc/grpc-js';
import type { MetadataApi, SidecarMetadata } from '../../core/metadata-api.js';
import { unary, type CallGuard, type UnaryHandler } from './handler.js';

/** GetMetadata, SetMetadata and Shutdown: the RPCs about the sidecar itself. */
export function runtimeHandlers(metadata: MetadataApi, shutdown: (force: boolean) => void, guard: CallGuard): Record<string, UnaryHandler> {
  return {
    GetMetadata: unary(guard, async () => encodeMetadata(metadata.get())),
    SetMetadata: unary(guard, async (r: { key: string; value: string }) => {
      metadata.set(r.key, r.value);
      return {};
    }),
    Shutdown: unary(guard, async (_r: unknown, md: Metadata) => {
      const force = String(md.get('dapr-force-shutdown')[0] ?? '').toLowerCase() === 'true';
      // Answer first; the stop begins once the reply is on its way.
      setImmediate(() => shutdown(force));
      return {};
    }),
  };
}

function encodeMetadata(m: SidecarMetadata) {
  const { port, protocol, channelAddress, maxConcurrency } = m.appConnection;
  return {
    id: m.id,
    runtime_version: m.runtimeVersion,
    enabled_features: m.enabledFeatures,
    registered_components: m.components,
    extended_metadata: m.extended,
    app_connection_properties: { port, protocol, channel_address: channelAddress, max_concurrency: Math.max(maxConcurrency, 0) },
    // As daprd without placement and scheduler reports them.
    actor_runtime: { runtime_status: 'DISABLED', host_ready: false, placement: 'placement: disconnected' },
    workflows: { connected_workers: 0 },
    http_endpoints: m.httpEndpoints.map((name) => ({ name })),
    subscriptions: m.subscriptions.map((sub) => ({
      pubsub_name: sub.pubsubName,
      topic: sub.topic,
      metadata: sub.metadata,
      rules: { rules: sub.rules.map((r) => ({ match: r.match, path: r.path })) },
      dead_letter_topic: sub.deadLetterTopic ?? '',
      type: sub.type,
    })),
    resiliencies: m.resiliencies.map((name) => ({ name })),
  };
}
