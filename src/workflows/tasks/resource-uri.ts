/** A Task's `Resource`: which building block it calls, on what. */
export type TaskResource =
  | { kind: 'invoke'; appId: string; method: string }
  | { kind: 'publish'; pubsub: string; topic: string }
  | { kind: 'binding'; name: string; operation: string }
  | { kind: 'state'; store: string; operation: 'get' | 'save' | 'delete' }
  | { kind: 'event'; name: string };

/** Parses a Resource URI, or says what is wrong with it. */
export function parseResource(uri: string): TaskResource | { problem: string } {
  const colon = uri.indexOf(':');
  const scheme = colon < 0 ? '' : uri.slice(0, colon);
  const rest = uri.slice(colon + 1);
  const slash = rest.indexOf('/');
  const [head, tail] = slash < 0 ? [rest, ''] : [rest.slice(0, slash), rest.slice(slash + 1)];
  const both = head !== '' && tail !== '';
  switch (scheme) {
    case 'invoke':
      return both ? { kind: 'invoke', appId: head, method: tail } : { problem: 'must be invoke:<app-id>/<method>' };
    case 'publish':
      return both ? { kind: 'publish', pubsub: head, topic: tail } : { problem: 'must be publish:<pubsub>/<topic>' };
    case 'binding':
      return both ? { kind: 'binding', name: head, operation: tail } : { problem: 'must be binding:<name>/<operation>' };
    case 'state':
      return both && (tail === 'get' || tail === 'save' || tail === 'delete')
        ? { kind: 'state', store: head, operation: tail }
        : { problem: 'must be state:<store>/get, state:<store>/save or state:<store>/delete' };
    case 'event':
      return rest !== '' ? { kind: 'event', name: rest } : { problem: 'must be event:<name>' };
    default:
      return { problem: `unknown resource "${uri}": use invoke:, publish:, binding:, state: or event:` };
  }
}
