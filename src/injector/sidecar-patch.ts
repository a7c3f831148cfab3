import { readSettings, type Container, type Pod } from './annotations.js';

export const SIDECAR_NAME = 'daprd';
export const PORTS = { http: 3500, grpc: 50001, internal: 50002 } as const;
const COMPONENTS_DIR = '/mecha/components';
const CONFIG_DIR = '/mecha/config';

export interface InjectorOptions {
  image: string;
  /** ConfigMap whose files are the Component/Subscription/Resiliency resources, mounted read-only. */
  componentsConfigMap: string;
  imagePullPolicy?: string;
}

/** One RFC 6902 operation. */
export interface PatchOperation {
  op: 'add';
  path: string;
  value: unknown;
}

/**
 * What the injector adds to an annotated pod, as a JSON patch: the `daprd` container running
 * `mecha run` (flags from Dapr's annotations), ports and probes as Dapr's, NAMESPACE/POD_NAME from the
 * downward API, the components (and Configuration) as volumes, and DAPR_HTTP_PORT/DAPR_GRPC_PORT on
 * every app container. Throws AnnotationError on an invalid annotation.
 */
export function sidecarPatch(pod: Pod, o: InjectorOptions): PatchOperation[] {
  const s = readSettings(pod);
  const containers = pod.spec?.containers ?? [];
  const volumes = [
    { name: 'mecha-components', configMap: { name: o.componentsConfigMap, optional: true } },
    ...(s.configMap ? [{ name: 'mecha-config', configMap: { name: s.configMap } }] : []),
  ];
  const probe = (initialDelaySeconds: number) => ({
    httpGet: { path: '/v1.0/healthz', port: PORTS.http },
    initialDelaySeconds,
    periodSeconds: 6,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  const sidecar: Container = {
    name: SIDECAR_NAME,
    image: s.image ?? o.image,
    imagePullPolicy: o.imagePullPolicy ?? 'IfNotPresent',
    args: [
      'run',
      '--mode', 'kubernetes',
      ...s.args,
      '--dapr-http-port', String(PORTS.http),
      '--dapr-grpc-port', String(PORTS.grpc),
      '--dapr-internal-grpc-port', String(PORTS.internal),
      '--dapr-listen-addresses', '0.0.0.0',
      '--resources-path', COMPONENTS_DIR,
    ],
    ports: [
      { name: 'dapr-http', containerPort: PORTS.http },
      { name: 'dapr-grpc', containerPort: PORTS.grpc },
      { name: 'dapr-internal', containerPort: PORTS.internal },
      { name: 'dapr-metrics', containerPort: s.metricsPort },
    ],
    env: [
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'DAPR_HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      ...s.env,
    ],
    readinessProbe: probe(1),
    livenessProbe: probe(3),
    resources: s.resources,
    volumeMounts: [
      { name: 'mecha-components', mountPath: COMPONENTS_DIR, readOnly: true },
      ...(s.configMap ? [{ name: 'mecha-config', mountPath: CONFIG_DIR, readOnly: true }] : []),
    ],
    securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } },
  };
  const ops: PatchOperation[] = [];
  containers.forEach((c, i) => {
    const present = new Set((c.env ?? []).map((e) => e.name));
    const add = [
      { name: 'DAPR_HTTP_PORT', value: String(PORTS.http) },
      { name: 'DAPR_GRPC_PORT', value: String(PORTS.grpc) },
    ].filter((e) => !present.has(e.name));
    if (add.length === 0) return;
    if (!c.env) ops.push({ op: 'add', path: `/spec/containers/${i}/env`, value: add });
    else for (const e of add) ops.push({ op: 'add', path: `/spec/containers/${i}/env/-`, value: e });
  });
  ops.push({ op: 'add', path: '/spec/containers/-', value: sidecar });
  if (!pod.spec?.volumes) ops.push({ op: 'add', path: '/spec/volumes', value: volumes });
  else for (const v of volumes) ops.push({ op: 'add', path: '/spec/volumes/-', value: v });
  return ops;
}

export function alreadyInjected(pod: Pod): boolean {
  return (pod.spec?.containers ?? []).some((c) => c.name === SIDECAR_NAME);
}
