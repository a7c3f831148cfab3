import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { servicesOf } from '../transports/grpc/protos.js';

export const SENTRY_PROTO = 'dapr/proto/sentry/v1/sentry.proto';

/** A SignCertificateRequest as handlers see it (field names as in the .proto, enums by name). */
export interface SignCertificateRequest {
  id: string;
  token: string;
  trust_domain: string;
  namespace: string;
  certificate_signing_request: Buffer;
  token_validator: 'UNKNOWN' | 'INSECURE' | 'KUBERNETES' | 'JWKS';
}

export interface SignCertificateResponse {
  workload_certificate: Buffer;
  trust_chain_certificates: Buffer[];
  valid_until: { seconds: string | number; nanos: number };
}

let ca: ServiceClientConstructor | undefined;

/** The `dapr.proto.sentry.v1.CA` service: its definition for a server and the client constructor. */
export function sentryService(): ServiceClientConstructor {
  ca ??= (loadPackageDefinition({ CA: servicesOf([SENTRY_PROTO])['dapr.proto.sentry.v1.CA'] }) as GrpcObject).CA as ServiceClientConstructor;
  return ca;
}
