import { readSettings, type Container, type Pod, type ProbeTiming, type SidecarSettings } from './annotations.js';

export const SIDECAR_NAME = 'daprd';
/** Dapr's fixed HTTP port: apps are told it through DAPR_HTTP_PORT. */
export const HTTP_PORT = 3500;
const COMPONENTS_DIR = '/mecha/components';
const CONFIG_DIR = '/mecha/config';
/** The image's working directory, where file-based components (SQLite, localstorage) write. */
const DATA_DIR = '/data';
/** The image's unprivileged `node` user. */
const SIDECAR_UID = 1000;
/** Where daprd reads the service account token it shows Sentry (audience dapr.io/sentry). */
const SENTRY_TOKEN_DIR = '/var/run/secrets/dapr.io/sentrytoken';

export interface InjectorOptions {
  image: string;
  /** ConfigMap whose files are the Component/Subscription/Resiliency resources, mounted read-only. */
  componentsConfigMap: string;
  imagePullPolicy?: string;
  /** Set: injected sidecars use mTLS with certificates from this Sentry, as Dapr's injector sets them up. */
  mtls?: MtlsInjection;
}

export interface MtlsInjection {
  sentryAddress: string;
  /** PEM root certificate(s), given to each sidecar as DAPR_TRUST_ANCHORS. */
  trustAnchors: string;
  controlPlaneNamespace: string;
  controlPlaneTrustDomain: string;
}

/** One RFC 6902 operation. */
export interface PatchOperation {
  op: 'add';
  path: string;
  value: unknown;
}

export interface SidecarPatch {
  patch: PatchOperation[];
  appId: string;
  /** Things the pod asked for that were not done, for the AdmissionResponse's warnings. */
  warnings: string[];
}

/**
 * What the injector adds to an annotated pod, as Dapr's injector does: the `daprd` container (here
 * `mecha run`, flags from the annotations) with Dapr's ports, probes and downward-API env, the
 * components (and Configuration) ConfigMaps as volumes, Dapr's labels, and DAPR_HTTP_PORT,
 * DAPR_GRPC_PORT and APP_PROTOCOL on every app container. Throws AnnotationError on an unusable
 * annotation.
 */
export function sidecarPatch(pod: Pod, o: InjectorOptions): SidecarPatch {
  const s = readSettings(pod);
  const warnings = s.ignored.map((a) => `${a} is not supported by mecha and was ignored`);
  const podVolumes = new Set((pod.spec?.volumes ?? []).map((v) => v.name));
  const userMounts = s.volumeMounts.filter((m) => {
    if (!podVolumes.has(m.name)) warnings.push(`volume "${m.name}" named in dapr.io/volume-mounts is not in the pod and was not mounted`);
    return podVolumes.has(m.name);
  });
  const volumes = [
    { name: 'mecha-components', configMap: { name: o.componentsConfigMap, optional: true } },
    { name: 'mecha-data', emptyDir: {} },
    ...(s.configMap ? [{ name: 'mecha-config', configMap: { name: s.configMap } }] : []),
    ...(o.mtls ? [sentryTokenVolume()] : []),
  ].filter((v) => {
    // Dapr's rule: a volume the pod already has is kept, not added twice.
    if (podVolumes.has(v.name)) warnings.push(`the pod already has a volume "${v.name}": the sidecar mounts it as is`);
    return !podVolumes.has(v.name);
  });

  const ops: PatchOperation[] = [];
  if (!pod.spec?.containers) ops.push({ op: 'add', path: '/spec/containers', value: [] });
  if (!pod.metadata?.labels) ops.push({ op: 'add', path: '/metadata/labels', value: {} });
  if (volumes.length > 0 && !pod.spec?.volumes) ops.push({ op: 'add', path: '/spec/volumes', value: volumes });
  else for (const v of volumes) ops.push({ op: 'add', path: '/spec/volumes/-', value: v });
  ops.push({ op: 'add', path: '/spec/containers/-', value: sidecarContainer(s, o, userMounts) });
  for (const [label, value] of [['sidecar-injected', 'true'], ['app-id', s.appId], ['metrics-enabled', String(s.metricsEnabled)]]) {
    ops.push({ op: 'add', path: `/metadata/labels/dapr.io~1${label}`, value });
  }
  const appEnv = [
    { name: 'DAPR_HTTP_PORT', value: String(HTTP_PORT) },
    { name: 'DAPR_GRPC_PORT', value: String(s.grpcPort) },
    { name: 'APP_PROTOCOL', value: s.appProtocol },
  ];
  (pod.spec?.containers ?? []).forEach((c, i) => {
    // Variables the app container already sets are its own.
    const present = new Set((c.env ?? []).map((e) => e.name));
    const add = appEnv.filter((e) => !present.has(e.name));
    if (add.length === 0) return;
    if (!c.env?.length) ops.push({ op: 'add', path: `/spec/containers/${i}/env`, value: add });
    else for (const e of add) ops.push({ op: 'add', path: `/spec/containers/${i}/env/-`, value: e });
  });
  return { patch: ops, appId: s.appId, warnings };
}

function sidecarContainer(s: SidecarSettings, o: InjectorOptions, userMounts: SidecarSettings['volumeMounts']): Container {
  const probe = (path: string, t: ProbeTiming) => ({ httpGet: { path, port: HTTP_PORT }, ...t });
  return {
    name: SIDECAR_NAME,
    image: s.image ?? o.image,
    imagePullPolicy: o.imagePullPolicy ?? 'IfNotPresent',
    args: [
      'run',
      '--mode', 'kubernetes',
      ...s.args,
      '--dapr-http-port', String(HTTP_PORT),
      '--dapr-grpc-port', String(s.grpcPort),
      '--dapr-internal-grpc-port', String(s.internalGrpcPort),
      // The kubelet probes the pod IP, and other sidecars call the internal port through it.
      '--dapr-listen-addresses', '0.0.0.0',
      '--resources-path', COMPONENTS_DIR,
      ...(s.configMap ? ['--config', `${CONFIG_DIR}/config.yaml`] : []),
      ...(o.mtls ? mtlsArgs(o.mtls) : []),
    ],
    ports: [
      { name: 'dapr-http', containerPort: HTTP_PORT },
      { name: 'dapr-grpc', containerPort: s.grpcPort },
      { name: 'dapr-internal', containerPort: s.internalGrpcPort },
      { name: 'dapr-metrics', containerPort: s.metricsPort },
    ],
    env: [
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'DAPR_HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      ...(o.mtls ? [{ name: 'DAPR_TRUST_ANCHORS', value: o.mtls.trustAnchors }] : []),
      ...s.env,
    ],
    // Ready once the app is reachable too; alive while the sidecar's own side (components, servers) is up,
    // so a slow app never gets its sidecar restarted.
    readinessProbe: probe('/v1.0/healthz', s.readiness),
    livenessProbe: probe('/v1.0/healthz/outbound', s.liveness),
    ...(s.resources.limits || s.resources.requests ? { resources: s.resources } : {}),
    volumeMounts: [
      { name: 'mecha-components', mountPath: COMPONENTS_DIR, readOnly: true },
      { name: 'mecha-data', mountPath: DATA_DIR },
      ...(s.configMap ? [{ name: 'mecha-config', mountPath: CONFIG_DIR, readOnly: true }] : []),
      ...(o.mtls ? [{ name: 'dapr-identity-token', mountPath: SENTRY_TOKEN_DIR, readOnly: true }] : []),
      ...userMounts,
    ],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: SIDECAR_UID,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      ...(s.seccompProfileType ? { seccompProfile: { type: s.seccompProfileType } } : {}),
    },
  };
}

function mtlsArgs(m: MtlsInjection): string[] {
  return ['--enable-mtls', '--sentry-address', m.sentryAddress, '--control-plane-namespace', m.controlPlaneNamespace, '--control-plane-trust-domain', m.controlPlaneTrustDomain];
}

/** The pod's service account token for Sentry's TokenReview, projected with Sentry's audience and renewed by the kubelet. */
function sentryTokenVolume() {
  return {
    name: 'dapr-identity-token',
    projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 7200, audience: 'dapr.io/sentry' } }] },
  };
}

/** A pod that already has the sidecar, in its containers or as a native (init) sidecar. */
export function alreadyInjected(pod: Pod): boolean {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.name === SIDECAR_NAME);
}
