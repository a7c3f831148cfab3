import { SidecarError } from './sidecar-error.js';

/** The JSON body daprd sends for an API error. */
export interface HttpErrorBody {
  errorCode: string;
  message: string;
  details?: unknown[];
}

/** The only place an error becomes an HTTP status and body. */
export function toHttpError(err: unknown): { status: number; body: HttpErrorBody } {
  const e = SidecarError.from(err);
  const body: HttpErrorBody = { errorCode: e.code, message: e.message };
  if (e.details.length > 0) body.details = e.details;
  return { status: e.kind.http, body };
}
