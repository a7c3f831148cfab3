import type { ContractDocuments, Location } from './contract-documents.js';
import { escapePointer, isObj } from './contract-documents.js';
import type { PayloadCheck, SchemaCompiler } from './schema-validators.js';
import type { Violation } from '../core/contract-gate.js';

/** Who the schema binds: what the app publishes, what it accepts, or both (a channel no operation names). */
export type Direction = 'publish' | 'subscribe';

/** A topic's schema, from an AsyncAPI channel or `spec.topics[]`. */
export interface TopicRule {
  pubsubName: string;
  topic: string;
  directions: Direction[];
  /** The messages' names (AsyncAPI) for the generated document; the check accepts a payload any of them accepts. */
  messages: string[];
  check: PayloadCheck;
  /** Where the payload schemas are, for the generated AsyncAPI document. */
  schemas: Location[];
}

/** `<pubsubname>/<topic>`: the pub/sub component's name, then the topic (which may itself contain `/`). */
export function splitAddress(address: string): { pubsubName: string; topic: string } | undefined {
  const slash = address.indexOf('/');
  if (slash <= 0 || slash === address.length - 1) return undefined;
  return { pubsubName: address.slice(0, slash), topic: address.slice(slash + 1) };
}

/** The topic rules of an AsyncAPI 2.6 or 3.0 document; channels not of the `<pubsubname>/<topic>` form are problems. */
export function asyncApiTopics(docs: ContractDocuments, compiler: SchemaCompiler, root: string, version: string): TopicRule[] {
  const doc = docs.get({ uri: root, pointer: '' });
  if (!isObj(doc) || !isObj(doc.channels)) return [];
  const rules: TopicRule[] = [];
  for (const [id, raw] of Object.entries(doc.channels)) {
    const at: Location = { uri: root, pointer: `/channels/${escapePointer(id)}` };
    const { value: channel, at: channelAt } = docs.deref(at);
    if (!isObj(channel)) continue;
    const address = version.startsWith('2.') ? id : channel.address;
    if (typeof address !== 'string') continue; // 3.0: a channel without an address is not a topic
    const target = splitAddress(address);
    if (!target) {
      docs.problem(version.startsWith('2.') ? at : { ...channelAt, pointer: `${channelAt.pointer}/address` }, `"${address}" must be <pubsubname>/<topic>`);
      continue;
    }
    const found = version.startsWith('2.') ? v2Messages(docs, channelAt, channel) : v3Messages(docs, root, doc, channelAt, channel);
    const schemas = found.messages.map((m) => m.payload).filter((p): p is Location => p !== undefined);
    const checks = schemas.map((p) => compiler.compile(p, 'draft-07')).filter((c): c is PayloadCheck => c !== undefined);
    if (checks.length === 0) continue;
    rules.push({ ...target, directions: found.directions, messages: found.messages.map((m) => m.name), check: anyOf(checks), schemas });
  }
  return rules;
}

interface Found {
  directions: Direction[];
  messages: Array<{ name: string; payload?: Location }>;
}

/** 2.6: `publish` is read as what the app publishes, `subscribe` as what it accepts; a message or `oneOf` of them. */
function v2Messages(docs: ContractDocuments, channelAt: Location, channel: Record<string, unknown>): Found {
  const directions: Direction[] = [];
  const messages: Found['messages'] = [];
  for (const direction of ['publish', 'subscribe'] as const) {
    if (!isObj(channel[direction])) continue;
    directions.push(direction);
    const messageAt = { ...channelAt, pointer: `${channelAt.pointer}/${direction}/message` };
    const { value: message, at } = docs.deref(messageAt);
    const alternatives = isObj(message) && Array.isArray(message.oneOf) ? message.oneOf.map((_, i) => ({ ...at, pointer: `${at.pointer}/oneOf/${i}` })) : [messageAt];
    for (const alt of alternatives) messages.push(messageOf(docs, alt, `${direction}Message`));
  }
  return { directions, messages };
}

/** 3.0: the channel's messages; directions from the operations (`send`: publishes, `receive`: accepts) naming it. */
function v3Messages(docs: ContractDocuments, root: string, doc: Record<string, unknown>, channelAt: Location, channel: Record<string, unknown>): Found {
  const directions = new Set<Direction>();
  for (const opId of Object.keys(isObj(doc.operations) ? doc.operations : {})) {
    const operation = docs.deref({ uri: root, pointer: `/operations/${escapePointer(opId)}` }).value;
    if (!isObj(operation) || !isObj(operation.channel) || typeof operation.channel.$ref !== 'string') continue;
    const named = docs.deref({ uri: root, pointer: `/operations/${escapePointer(opId)}/channel` }).at;
    if (named.uri !== channelAt.uri || named.pointer !== channelAt.pointer) continue;
    if (operation.action === 'send') directions.add('publish');
    if (operation.action === 'receive') directions.add('subscribe');
  }
  const list = isObj(channel.messages) ? Object.keys(channel.messages) : [];
  const messages = list.map((name) => messageOf(docs, { ...channelAt, pointer: `${channelAt.pointer}/messages/${escapePointer(name)}` }, name));
  return { directions: directions.size > 0 ? [...directions] : ['publish', 'subscribe'], messages };
}

/** A message's payload schema; a Multi Format Schema Object (`{ schemaFormat, schema }`) gives its `schema`. */
function messageOf(docs: ContractDocuments, at: Location, fallbackName: string): { name: string; payload?: Location } {
  const { value: message, at: messageAt } = docs.deref(at);
  if (!isObj(message) || message.payload === undefined) return { name: fallbackName };
  const name = typeof message.name === 'string' ? message.name : messageAt.pointer.split('/').pop() || fallbackName;
  const payloadAt = { ...messageAt, pointer: `${messageAt.pointer}/payload` };
  const payload = message.payload;
  if (isObj(payload) && typeof payload.schemaFormat === 'string' && payload.schema !== undefined) return { name, payload: { ...payloadAt, pointer: `${payloadAt.pointer}/schema` } };
  return { name, payload: payloadAt };
}

/** Accepts what any message accepts; when none does, reports the violations of the closest one. */
export function anyOf(checks: PayloadCheck[]): PayloadCheck {
  if (checks.length === 1) return checks[0]!;
  return (value) => {
    let best: Violation[] | undefined;
    for (const check of checks) {
      const v = check(value);
      if (v.length === 0) return v;
      if (!best || v.length < best.length) best = v;
    }
    return best ?? [];
  };
}
