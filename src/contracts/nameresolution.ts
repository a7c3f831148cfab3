import type { Component } from './component.js';

/** One sidecar's internal API, as announced to and returned by a name resolver. */
export interface SidecarInstance {
  appId: string;
  namespace: string;
  host: string;
  /** The internal gRPC port (sidecar-to-sidecar). */
  port: number;
}

/**
 * Finds the sidecars of an app-id. Selected by Configuration `spec.nameResolution`; its metadata comes
 * from `spec.nameResolution.configuration`.
 */
export interface NameResolution<M = Record<string, unknown>> extends Component<M> {
  /** Announces this sidecar; kept fresh until close. */
  register(self: SidecarInstance): Promise<void>;
  /** `host:port` addresses of the target's internal API, in the order to try them (rotated per call). */
  resolve(appId: string, namespace: string): Promise<string[]>;
}
