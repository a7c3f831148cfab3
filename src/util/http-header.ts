import { validateHeaderName, validateHeaderValue } from 'node:http';

/** Whether Node's HTTP client would send this header as given (a valid name and value). */
export function isSendableHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}
