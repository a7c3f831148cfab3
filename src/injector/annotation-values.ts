/**
 * How Dapr's injector reads the values of its annotations: Go-style truthy booleans, `KEY=value` lists
 * whose values may hold commas, `volume:/path` lists and Kubernetes quantities.
 */

import { isQuantity, parseByteSize } from '../util/byte-size.js';

export class AnnotationError extends Error {}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly: boolean;
}

/** dapr/kit's IsTruthy: anything else is false. */
export function isTruthy(value: string): boolean {
  return /^(y|yes|true|t|on|1)$/i.test(value.trim());
}

/**
 * `dapr.io/env` and `dapr.io/env-from-secret`: `KEY=value,KEY2=value2`. As in Dapr, a comma starts a new
 * variable only when `NAME=` follows it, so `LIST=a,b` keeps its comma.
 */
export function parseEnvList(annotation: string, text: string | undefined, fromSecret: boolean): EnvVar[] {
  if (!text?.trim()) return [];
  const parts = text.split(/,(?=\s*[A-Za-z_][A-Za-z0-9_]*=)/);
  return parts.map((part) => {
    const at = part.indexOf('=');
    const name = at > 0 ? part.slice(0, at).trim() : '';
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new AnnotationError(`${annotation}: "${part.trim()}" is not NAME=value`);
    const value = part.slice(at + 1);
    if (!fromSecret) return { name, value };
    // `NAME=secret:key`, or `NAME=secret` for the key of the same name.
    const [secret, key = secret, extra] = value.split(':').map((s) => s.trim());
    if (!secret || !key || extra !== undefined) throw new AnnotationError(`${annotation}: "${part.trim()}" is not NAME=secret or NAME=secret:key`);
    return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
  });
}

/** `dapr.io/volume-mounts` (read-only) and `dapr.io/volume-mounts-rw`: `volume:/path,volume2:/path2`. */
export function parseVolumeMounts(annotation: string, text: string | undefined, readOnly: boolean): VolumeMount[] {
  if (!text?.trim()) return [];
  return text.split(',').map((entry) => {
    const [name, mountPath, extra] = entry.trim().split(':');
    if (!name || !mountPath?.startsWith('/') || extra !== undefined) throw new AnnotationError(`${annotation}: "${entry.trim()}" is not volume:/absolute/path`);
    return { name, mountPath, readOnly };
  });
}

/** A Kubernetes resource quantity (`500m`, `128Mi`, `0.5`). */
export function checkQuantity(annotation: string, value: string): string {
  if (!isQuantity(value) || value.trim().startsWith('-')) throw new AnnotationError(`${annotation}: "${value}" is not a Kubernetes quantity (e.g. 250m, 128Mi)`);
  return value.trim();
}

/** `dapr.io/max-body-size` (`4Mi`, `16M`) as whole megabytes for `--dapr-http-max-request-size`, rounded up. */
export function quantityToMegabytes(annotation: string, value: string): number {
  const bytes = parseByteSize(value);
  if (bytes === undefined || bytes < 0) throw new AnnotationError(`${annotation}: "${value}" is not a size (e.g. 4Mi, 16M)`);
  return Math.max(1, Math.ceil(bytes / 1024 ** 2));
}

/** The app-id names the headless Service `<app-id>-dapr`, so it must make a DNS-1123 label (Dapr's rule). */
export function checkAppId(appId: string): string {
  const service = `${appId}-dapr`;
  if (service.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(service)) {
    throw new AnnotationError(
      `invalid app id "${appId}": the Service "${service}" must be a lowercase RFC 1123 label of at most 63 characters (lower case letters, digits and '-', starting and ending with a letter or digit)`,
    );
  }
  return appId;
}
