import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { STATUS_CODES } from 'node:http';
import protobuf from 'protobufjs';
import { packageFile } from '../util/package-files.js';
import { SidecarError, type ErrorDetail } from './sidecar-error.js';

const RPC_PROTOS = ['status.proto', 'error_details.proto'].map((f) => packageFile('proto', 'google', 'rpc', f));

let root: protobuf.Root | undefined;

function encode(type: string, message: object): Uint8Array {
  root ??= protobuf.loadSync(RPC_PROTOS);
  const t = root.lookupType(type);
  return t.encode(t.fromObject(message)).finish();
}

/**
 * The only place an error becomes a gRPC status: its code and message, and for errors daprd reports
 * in the rich model a google.rpc.Status with the same details (sent as `grpc-status-details-bin`).
 */
export function toGrpcError(err: unknown): Partial<ServiceError> {
  const e = SidecarError.from(err);
  const metadata = new Metadata();
  const rich = e.details.length > 0 ? e.details : e.kind.grpcErrorInfo ? [plainErrorInfo(e.kind.code)] : [];
  if (rich.length > 0) {
    const details = rich.map((d) => ({ type_url: d['@type'], value: encode(d['@type'].split('/')[1], detailMessage(d)) }));
    metadata.set('grpc-status-details-bin', Buffer.from(encode('google.rpc.Status', { code: e.kind.grpc, message: e.message, details })));
  }
  return { code: e.kind.grpc, details: e.message, message: e.message, metadata };
}

/**
 * An HTTP app's error answer relayed to a gRPC caller, as daprd relays it: the code from the status, the
 * body as message, and an ErrorInfo whose reason is the status text with `http.code` and
 * `http.error_message` in its metadata.
 */
export function appErrorStatus(status: number, body: string, metadata: Metadata): Partial<ServiceError> {
  const code = grpcCodeFromHttpStatus(status);
  const info = { reason: STATUS_CODES[status] ?? String(status), domain: 'dapr.io', metadata: { 'http.code': String(status), 'http.error_message': body } };
  const details = [{ type_url: 'type.googleapis.com/google.rpc.ErrorInfo', value: encode('google.rpc.ErrorInfo', info) }];
  metadata.set('grpc-status-details-bin', Buffer.from(encode('google.rpc.Status', { code, message: body, details })));
  return { code, details: body, message: body, metadata };
}

const CODE_FROM_HTTP: Record<number, number> = { 408: 1, 500: 2, 400: 13, 504: 4, 404: 5, 409: 6, 403: 7, 401: 16, 429: 8, 501: 12, 503: 14 };

/** daprd's CodeFromHTTPStatus: the gRPC code an HTTP app's answer becomes when relayed over gRPC. */
export function grpcCodeFromHttpStatus(status: number): number {
  if (status >= 200 && status < 300) return 0;
  return CODE_FROM_HTTP[status] ?? 2;
}

const HTTP_FROM_CODE = [200, 408, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401];

/** daprd's HTTPStatusFromCode: the HTTP status a gRPC app's status becomes for an HTTP caller. */
export function httpStatusFromGrpcCode(code: number): number {
  return HTTP_FROM_CODE[code] ?? 500;
}

function plainErrorInfo(code: string): ErrorDetail {
  return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: code, domain: 'dapr.io', metadata: null };
}

function detailMessage(d: ErrorDetail): object {
  switch (d['@type']) {
    case 'type.googleapis.com/google.rpc.ErrorInfo':
      return { reason: d.reason, domain: d.domain, metadata: d.metadata ?? {} };
    case 'type.googleapis.com/google.rpc.ResourceInfo':
      return { resourceType: d.resource_type, resourceName: d.resource_name, owner: d.owner, description: d.description };
    case 'type.googleapis.com/google.rpc.BadRequest':
      return { fieldViolations: d.field_violations };
    case 'type.googleapis.com/google.rpc.Help':
      return { links: d.links };
  }
}
