import { PubSubFeature, hasBulkPublish, type BulkPublishEntry, type PubSub } from '../contracts/pubsub.js';
import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';
import { direct, type ComponentCall } from '../resiliency/component-caller.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { CLOUDEVENT_CONTENT_TYPE, completeCloudEvent, isCloudEventContentType, newEnvelope, rfc3339 } from './pubsub-envelope.js';
import { parsePublishOptions, parseRawPayload, type PublishOptions } from './pubsub-publish-options.js';
import type { BulkPublishEventRequest, BulkPublishEventResponse, PublishEventRequest, TraceContext } from './pubsub-requests.js';
import type { TopicAcl } from './pubsub-topic-acl.js';
import type { ContractGate } from './contract-gate.js';

/** The pub/sub components the API can reach, by name. */
export interface PubSubComponents {
  count(): number;
  find(name: string): { pubsub: PubSub; acl: TopicAcl } | undefined;
}

const BULK_FALLBACK_PARALLELISM = 32;

/** The publishing side of pub/sub: every rule daprd applies between the API and a broker, for any transport. */
export class PubSubApi {
  constructor(
    private readonly appId: string,
    private readonly components: PubSubComponents,
    /** Wraps every broker call in its resiliency policy (outbound, by component name). */
    private readonly call: ComponentCall = direct,
    /** Topic schemas of the running Contracts, checked before anything reaches the broker. */
    private readonly contracts?: ContractGate,
  ) {}

  async publish(req: PublishEventRequest): Promise<void> {
    const pubsub = this.#resolve(req.pubsubName, req.topic);
    const entry = this.#prepare(pubsub, req, { entryId: '', event: req.data, contentType: req.contentType ?? '', metadata: req.metadata });
    this.#checkAllowed(req.pubsubName, req.topic);
    this.contracts?.checks?.publish(req.pubsubName, req.topic, [{ event: req.data, contentType: req.contentType ?? '', raw: isRaw(req.metadata) }], false);
    try {
      await this.call(req.pubsubName, () => pubsub.publish({ topic: req.topic, ...entry }));
    } catch (err) {
      throw this.#publishError(req.pubsubName, req.topic, err);
    }
  }

  /** Publishes every entry; entries the broker refused come back in `failedEntries` (an empty list: all accepted). */
  async bulkPublish(req: BulkPublishEventRequest): Promise<BulkPublishEventResponse> {
    const pubsub = this.#resolve(req.pubsubName, req.topic);
    const seen = new Set<string>();
    const resource = pubsubResource(req.pubsubName);
    for (const [i, e] of req.entries.entries()) {
      if (e.entryId === '') throw new SidecarError(Errors.PubSubMarshalEvents, `entries[${i}].entryId is required`, { resource });
      if (seen.has(e.entryId)) throw new SidecarError(Errors.PubSubMarshalEvents, `entries[${i}].entryId "${e.entryId}" is duplicated`, { resource });
      seen.add(e.entryId);
    }
    const entries = req.entries.map((e) => this.#prepare(pubsub, req, { ...e, metadata: { ...req.metadata, ...e.metadata } }));
    this.#checkAllowed(req.pubsubName, req.topic);
    this.contracts?.checks?.publish(req.pubsubName, req.topic, req.entries.map((e) => ({ event: e.event, contentType: e.contentType, raw: isRaw({ ...req.metadata, ...e.metadata }) })), true);
    if (entries.length === 0) return { failedEntries: [] };
    if (hasBulkPublish(pubsub)) {
      try {
        return await this.call(req.pubsubName, () => pubsub.bulkPublish({ topic: req.topic, entries, metadata: req.metadata }));
      } catch (err) {
        const message = this.#publishError(req.pubsubName, req.topic, err).message;
        return { failedEntries: entries.map((e) => ({ entryId: e.entryId, error: message })) };
      }
    }
    const results = await mapWithConcurrency(entries, BULK_FALLBACK_PARALLELISM, async ({ entryId, ...entry }) => {
      try {
        await this.call(req.pubsubName, () => pubsub.publish({ topic: req.topic, ...entry }));
        return undefined;
      } catch (err) {
        return { entryId, error: this.#publishError(req.pubsubName, req.topic, err).message };
      }
    });
    return { failedEntries: results.filter((r) => r !== undefined) };
  }

  /** Throws the error daprd answers when the pub/sub or topic is missing or unknown. */
  checkTarget(pubsubName: string, topic: string): void {
    this.#resolve(pubsubName, topic);
  }

  #resolve(pubsubName: string, topic: string): PubSub {
    const meta = { appID: this.appId, pubsubName, topic };
    const resource = pubsubResource(pubsubName);
    if (this.components.count() === 0) throw new SidecarError(Errors.PubSubNotConfigured, 'no pubsub is configured', { metadata: meta, resource });
    if (pubsubName === '') throw new SidecarError(Errors.PubSubEmpty, 'pubsub name is empty', { metadata: meta, resource });
    const found = this.components.find(pubsubName);
    // The one pub/sub error daprd sends without a ResourceInfo: it has no component type to name.
    if (!found) throw new SidecarError(Errors.PubSubNotFound, `pubsub ${pubsubName} is not found`, { metadata: meta });
    if (topic === '') throw new SidecarError(Errors.PubSubTopicEmpty, `topic is empty in pubsub ${pubsubName}`, { metadata: meta, resource });
    return found.pubsub;
  }

  #checkAllowed(pubsubName: string, topic: string): void {
    if (this.components.find(pubsubName)?.acl.canPublish(topic)) return;
    throw new SidecarError(Errors.PubSubForbidden, `topic ${topic} is not allowed for app id ${this.appId}`, {
      metadata: { appID: this.appId, pubsubName, topic },
      resource: pubsubResource(pubsubName),
    });
  }

  /** The bytes the broker receives: the payload as given (raw), or wrapped in a CloudEvent. */
  #prepare(pubsub: PubSub, req: { pubsubName: string; topic: string } & TraceContext, e: { entryId: string; event: Buffer; contentType: string; metadata: Record<string, string> }): BulkPublishEntry {
    let options: PublishOptions;
    try {
      options = parsePublishOptions(e.metadata);
    } catch (err) {
      throw new SidecarError(Errors.PubSubRequestMetadata, (err as Error).message, { cause: err, resource: pubsubResource(req.pubsubName) });
    }
    const nativeTtl = pubsub.features().includes(PubSubFeature.MessageTtl);
    const ttlInSeconds = nativeTtl ? options.ttlInSeconds : undefined;
    if (options.rawPayload) return { entryId: e.entryId, data: e.event, contentType: e.contentType || undefined, metadata: e.metadata, ttlInSeconds };
    const now = new Date();
    const ctx = {
      source: this.appId,
      topic: req.topic,
      pubsubName: req.pubsubName,
      traceparent: req.traceparent,
      tracestate: req.tracestate,
      overrides: options.overrides,
      now,
      expiration: options.ttlInSeconds !== undefined && !nativeTtl ? rfc3339(new Date(now.getTime() + options.ttlInSeconds * 1000)) : undefined,
    };
    let data: Buffer;
    try {
      data = isCloudEventContentType(e.contentType) ? completeCloudEvent(e.event, ctx) : newEnvelope(e.event, e.contentType, ctx);
    } catch (err) {
      throw new SidecarError(Errors.PubSubCloudEventCreation, `cannot create cloudevent: ${(err as Error).message}`, {
        cause: err,
        metadata: { appID: this.appId, pubsubName: req.pubsubName, topic: req.topic },
        resource: pubsubResource(req.pubsubName),
      });
    }
    return { entryId: e.entryId, data, contentType: CLOUDEVENT_CONTENT_TYPE, metadata: e.metadata, ttlInSeconds };
  }

  #publishError(pubsubName: string, topic: string, err: unknown): SidecarError {
    const reason = err instanceof Error ? err.message : String(err);
    return new SidecarError(Errors.PubSubPublishMessage, `error when publish to topic ${topic} in pubsub ${pubsubName}: ${reason}`, {
      cause: err,
      metadata: { appID: this.appId, pubsubName, topic },
      resource: pubsubResource(pubsubName),
    });
  }
}

/** `rawPayload`, read after `#prepare` refused an unreadable value. */
function isRaw(metadata: Record<string, string>): boolean {
  return parseRawPayload(metadata.rawPayload);
}

/** daprd's publish errors name the pub/sub in a google.rpc.ResourceInfo. */
export function pubsubResource(name: string): { type: string; name: string } {
  return { type: 'pubsub', name };
}
