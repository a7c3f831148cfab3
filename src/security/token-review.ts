import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { SignCertificateRequest } from './sentry-proto.js';

/** Where the API server is and how to reach it: a pod's in-cluster configuration. */
export interface InClusterConfig {
  host: string;
  port: string;
  tokenFile: string;
  caFile: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The audience daprd's projected service account token is made for. */
export const SENTRY_TOKEN_AUDIENCE = 'dapr.io/sentry';

export function inClusterConfig(env: NodeJS.ProcessEnv = process.env): InClusterConfig {
  if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT) {
    throw new Error('--mode kubernetes needs the in-cluster configuration (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set)');
  }
  return { host: env.KUBERNETES_SERVICE_HOST, port: env.KUBERNETES_SERVICE_PORT, tokenFile: `${SERVICE_ACCOUNT_DIR}/token`, caFile: `${SERVICE_ACCOUNT_DIR}/ca.crt` };
}

interface TokenReviewStatus {
  authenticated?: boolean;
  error?: string;
  audiences?: string[];
  user?: { username?: string; extra?: Record<string, string[]> };
}

/**
 * Sentry's Kubernetes validator: the API server's TokenReview must find the token valid for our audience,
 * issued to a service account of the namespace asked for, and, when it names the pod, the pod's
 * dapr.io/app-id must be the id asked for.
 */
export function kubernetesTokenValidator(config: InClusterConfig): (req: SignCertificateRequest) => Promise<void> {
  return async (req) => {
    if (!req.token) throw new Error('a service account token is required in Kubernetes mode');
    const review = await apiCall<{ status?: TokenReviewStatus }>(config, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: req.token, audiences: [SENTRY_TOKEN_AUDIENCE] },
    });
    const s = review.status ?? {};
    if (!s.authenticated) throw new Error(`the API server did not authenticate it${s.error ? `: ${s.error}` : ''}`);
    const [prefix, group, namespace, account] = (s.user?.username ?? '').split(':');
    if (prefix !== 'system' || group !== 'serviceaccount' || !namespace || !account) throw new Error(`it belongs to "${s.user?.username}", not to a service account`);
    if (namespace !== req.namespace) throw new Error(`its service account is in namespace "${namespace}", not "${req.namespace}"`);
    const podName = s.user?.extra?.['authentication.kubernetes.io/pod-name']?.[0];
    if (!podName) return;
    const pod = await apiCall<{ metadata?: { name?: string; annotations?: Record<string, string> } }>(config, 'GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`);
    const appId = pod.metadata?.annotations?.['dapr.io/app-id'] || pod.metadata?.name;
    if (appId !== req.id) throw new Error(`pod ${namespace}/${podName} has app id "${appId}", not "${req.id}"`);
  };
}

async function apiCall<T>(c: InClusterConfig, method: string, path: string, body?: object): Promise<T> {
  const [token, ca] = await Promise.all([readFile(c.tokenFile, 'utf8'), readFile(c.caFile)]);
  const payload = body ? JSON.stringify(body) : undefined;
  return new Promise<T>((resolve, reject) => {
    const req = https.request(
      {
        host: c.host,
        port: Number(c.port),
        method,
        path,
        ca,
        timeout: 10_000,
        headers: { authorization: `Bearer ${token.trim()}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) return reject(new Error(`the API server answered ${method} ${path} with HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            reject(new Error(`the API server answered ${method} ${path} with no JSON`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`the API server did not answer ${method} ${path} within 10 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}
