import { parseDuration } from '../util/duration.js';

/** The string formats of our schemas, shared by the runtime ajv instance and the validators compiled at build time. */
export const formats = {
  regex: { type: 'string', validate: (s: string) => isRegex(s) },
  duration: { type: 'string', validate: (s: string) => parseDuration(s) !== undefined },
} as const;

function isRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}
