import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ResourceDocument } from '../../config/resource-documents.js';
import type { ResourceProblem } from '../../config/resource-problem.js';
import type { InvocationApi } from '../../core/invocation/invocation-api.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Resiliency } from '../../resiliency/resiliency.js';
import type { CallGuard, UnaryHandler } from '../../transports/grpc/handler.js';
import type { BuildingBlocks } from '../building-blocks.js';
import type { ComponentHost } from '../component-host.js';

/** A topic a kind's resources read (`receive`) or publish to (`send`), for the app's generated AsyncAPI document. */
export interface KindChannel {
  pubsubName: string;
  topic: string;
  action: 'send' | 'receive';
  /** Who does it, e.g. `route orders reads it`. */
  description: string;
}

/** What a Mecha kind runs on: the building blocks it composes, never anything beside them. */
export interface MechaKindDeps {
  appId: string;
  /** `NAMESPACE`, or daprd's self-hosted `default`. */
  namespace: string;
  blocks: BuildingBlocks;
  invocation: InvocationApi;
  components: ComponentHost;
  resiliency: Resiliency;
  /** `--data-dir`: where embedded stores keep their files. */
  dataDir: string;
  logger: Logger;
  /** Present when metrics are enabled. */
  metrics?: Metrics;
  /**
   * Resolves once the app is reachable and its subscriptions started (at once without an app port); never
   * when the sidecar stops first. Not to be awaited in `apply`: the sidecar applies kinds before it waits for the app.
   */
  appReady: Promise<void>;
  /** The topics every kind's running resources read or publish to (their `asyncApiChannels`). */
  kindChannels(): KindChannel[];
}

/** One loaded set of a kind's documents: every problem, and how to make it the running set. */
export interface MechaKindLoad {
  problems: ResourceProblem[];
  apply(): Promise<void> | void;
}

/**
 * A resource kind of our own (`apiVersion: mecha.io/v1alpha1`): loaded at start, validated with every problem
 * reported at once, swapped as a whole set on hot reload, listed in the metadata API, closed at shutdown.
 */
export interface MechaKind {
  /** The `kind` of its documents, e.g. `Workflow`. */
  readonly kind: string;
  /**
   * Validates all documents of the kind together (read them with `readMechaResources`, which applies scopes);
   * nothing runs until `apply`. Must not throw for bad documents: they are problems.
   */
  load(docs: readonly ResourceDocument[]): MechaKindLoad;
  /** The running resources for `GET /v1.0/metadata`, kept as a JSON string under `extended[<metadataKey>]`. */
  readonly metadataKey: string;
  metadata(): unknown[];
  /** Its HTTP routes (transport files of the kind), registered with the sidecar's API. */
  httpRoutes?(app: FastifyInstance): void;
  /**
   * The OpenAPI 3.1 path items of those routes (and the schemas they refer to), merged into the document the
   * sidecar serves at `/v1.0-alpha1/openapi.json`; a test checks it against the registered routes both ways.
   */
  openApi?(): { paths: Record<string, unknown>; schemas?: Record<string, unknown> };
  /** The topics its running resources read or publish to, listed in the app's generated AsyncAPI document. */
  asyncApiChannels?(): KindChannel[];
  /** Its RPCs of `dapr.proto.runtime.v1.Dapr`, by method name. */
  grpcHandlers?(guard: CallGuard): Record<string, UnaryHandler | ((call: never) => void)>;
  /**
   * Hot reload added, replaced or removed a pub/sub or binding component (called between the swap and the old
   * instance's close): what the kind reads from that component moves to the current one.
   */
  componentChanged?(category: 'pubsub' | 'bindings', name: string): Promise<void>;
  /** Stops what it runs (subscriptions, timers, leases), letting work in flight finish or persist. */
  close(): Promise<void>;
}

/** Builds one kind from the sidecar's building blocks; cheap: heavy modules load on the first `apply`. */
export type MechaKindFactory = (deps: MechaKindDeps) => MechaKind;
