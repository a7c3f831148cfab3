import type { ErrorObject } from 'ajv';

/** Configuration `spec.tracing`, as daprd reads it. */
export interface TracingSpec {
  /** Probability a new trace is sampled, "0" to "1"; "0" turns tracing off. */
  samplingRate?: string;
  stdout?: boolean;
  zipkin?: { endpointAddress?: string };
  otel?: {
    endpointAddress?: string;
    protocol?: 'http' | 'grpc';
    isSecure?: boolean;
    /** `name=value,name2=value2`, or a list of `{name, value}`. */
    headers?: string | Array<{ name: string; value: string }>;
    /** Export timeout in milliseconds. */
    timeout?: number;
  };
}

// "0", "0.25", ".5", "1", "1.0" and exponent forms such as "1e-4"; the range is checked by the pattern too.
const RATE = '^\\s*(0*(\\.[0-9]+)?|0*1(\\.0*)?|0*\\.[0-9]+|[0-9](\\.[0-9]+)?[eE]-[0-9]+)\\s*$';

export const tracingSpecSchema = {
  type: 'object',
  properties: {
    samplingRate: { type: 'string', pattern: RATE },
    stdout: { type: 'boolean' },
    zipkin: { type: 'object', properties: { endpointAddress: { type: 'string' } } },
    otel: {
      type: 'object',
      properties: {
        endpointAddress: { type: 'string' },
        protocol: { type: 'string', enum: ['http', 'grpc'] },
        isSecure: { type: 'boolean' },
        headers: {
          anyOf: [
            { type: 'string' },
            { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, value: { type: 'string' } } } },
          ],
        },
        timeout: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;

/** The pattern of `samplingRate` told in words. */
export function describeTracingError(e: ErrorObject, described: { field: string; message: string }): { field: string; message: string } {
  if (e.keyword === 'pattern' && described.field.endsWith('tracing.samplingRate')) {
    return { field: described.field, message: 'must be a number from "0" to "1" (a string, such as "1" or "0.25")' };
  }
  return described;
}

/** Where spans go and how many, resolved from `spec.tracing` and the `OTEL_EXPORTER_OTLP_*` variables. */
export interface TracingSettings {
  /** 0 turns tracing off: no spans, no `traceparent` on responses. */
  samplingRate: number;
  stdout: boolean;
  zipkinUrl?: string;
  otel?: { url: string; protocol: 'http' | 'grpc'; headers: Record<string, string>; timeoutMs?: number };
}

/** daprd's default when `samplingRate` is absent or unreadable: tracing on, one trace in 10 000 sampled. */
export const DEFAULT_SAMPLING_RATE = 0.0001;

/**
 * daprd's rules: the OTLP variables apply only when the Configuration names no otel endpoint
 * (the traces-specific variable first); an endpoint from the environment raises an unset sampling
 * rate to "1"; a protocol starting with "http" selects OTLP/HTTP, anything else gRPC.
 */
export function resolveTracing(spec: TracingSpec | undefined, env: NodeJS.ProcessEnv): TracingSettings {
  const otel = { ...spec?.otel };
  let rateText = spec?.samplingRate;
  const envEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!otel.endpointAddress && envEndpoint) {
    otel.endpointAddress = envEndpoint.replace(/^https?:\/\//, '');
    if (!rateText) rateText = '1';
    const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || '';
    otel.protocol = protocol.startsWith('http') ? 'http' : 'grpc';
    if (env.OTEL_EXPORTER_OTLP_INSECURE === 'true') otel.isSecure = false;
  }
  const envHeaders = env.OTEL_EXPORTER_OTLP_TRACES_HEADERS || env.OTEL_EXPORTER_OTLP_HEADERS;
  if (envHeaders) otel.headers = envHeaders;
  const envTimeout = env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT || env.OTEL_EXPORTER_OTLP_TIMEOUT;
  if (envTimeout) {
    if (!/^\d+$/.test(envTimeout)) throw new Error(`OTEL_EXPORTER_OTLP_TIMEOUT: "${envTimeout}" is not a whole number of milliseconds`);
    if (Number(envTimeout) > 0) otel.timeout = Number(envTimeout);
  }
  const rate = rateText === undefined || rateText.trim() === '' ? DEFAULT_SAMPLING_RATE : Number(rateText);
  const settings: TracingSettings = { samplingRate: Number.isFinite(rate) ? Math.min(Math.max(rate, 0), 1) : DEFAULT_SAMPLING_RATE, stdout: spec?.stdout === true };
  if (spec?.zipkin?.endpointAddress) settings.zipkinUrl = spec.zipkin.endpointAddress;
  if (otel.endpointAddress) {
    const secure = otel.isSecure !== false;
    const protocol = otel.protocol ?? 'grpc';
    const hostAndPath = otel.endpointAddress.replace(/^https?:\/\//, '');
    // OTLP/HTTP posts to /v1/traces unless the address names a path; gRPC takes host:port.
    const path = protocol === 'http' && !hostAndPath.includes('/') ? '/v1/traces' : '';
    settings.otel = { url: `${secure ? 'https' : 'http'}://${hostAndPath}${path}`, protocol, headers: headersOf(otel.headers), timeoutMs: otel.timeout };
  }
  return settings;
}

/** `a=b,c=d` (values URL-escaped, as the OTLP variables write them) or a list of `{name, value}`. */
function headersOf(h: NonNullable<TracingSpec['otel']>['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(h)) {
    for (const { name, value } of h) out[name] = value ?? '';
  } else if (typeof h === 'string' && h.trim() !== '') {
    for (const pair of h.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`tracing headers: "${pair}" is not name=value`);
      out[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1)).trim();
    }
  }
  return out;
}
