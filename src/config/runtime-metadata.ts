import type { ComponentCategory } from '../contracts/component.js';

/**
 * Component metadata that the runtime reads itself rather than the adapter (daprd handles the same keys
 * outside components-contrib). They are removed before the adapter's schema sees the metadata.
 */
const RUNTIME_KEYS: Partial<Record<ComponentCategory, readonly string[]>> = {
  state: ['keyPrefix', 'actorStateStore', 'outboxPublishPubsub', 'outboxPublishTopic', 'outboxPubsub', 'outboxDiscardWhenMissingState'],
  pubsub: ['consumerID', 'publishingScopes', 'subscriptionScopes', 'allowedTopics', 'protectedTopics'],
  bindings: ['direction', 'route'],
  lock: ['keyPrefix'],
};

/** Splits resolved metadata into runtime keys (canonical names) and the adapter's own keys. */
export function splitRuntimeMetadata(
  category: ComponentCategory,
  metadata: Record<string, string>,
): { runtime: Record<string, string>; adapter: Record<string, string> } {
  const known = new Map((RUNTIME_KEYS[category] ?? []).map((k) => [k.toLowerCase(), k]));
  const runtime: Record<string, string> = {};
  const adapter: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    const canonical = known.get(name.toLowerCase());
    if (canonical) runtime[canonical] = value;
    else adapter[name] = value;
  }
  return { runtime, adapter };
}
