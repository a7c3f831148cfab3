import type { SubscriptionDefinition } from '../core/subscriptions/subscription.js';
import type { KindChannel } from '../runtime/mecha-kinds/mecha-kind.js';
import type { TopicRule } from './asyncapi-topics.js';
import { isObj, refLocation, type ContractDocuments, type Location } from './contract-documents.js';
import type { LoadedContract } from './contract-spec.js';

const MAX_DEPTH = 64;

/**
 * The schema at `at` with every `$ref` replaced by what it names, so it stands alone in a generated
 * document; a reference back into itself (a recursive schema) becomes an empty schema with a note.
 */
export function standalone(docs: ContractDocuments, at: Location, keep?: (target: Location) => string | undefined): unknown {
  const walk = (value: unknown, here: Location, stack: string[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, { ...here, pointer: `${here.pointer}/${i}` }, stack));
    if (!isObj(value)) return value;
    if (typeof value.$ref === 'string') {
      const target = refLocation(value.$ref, here.uri);
      const kept = keep?.(target);
      if (kept !== undefined) return { ...value, $ref: kept };
      const key = `${target.uri}#${target.pointer}`;
      if (stack.includes(key) || stack.length >= MAX_DEPTH) return { description: `recursive reference to ${value.$ref}` };
      return walk(docs.get(target), target, [...stack, key]);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, { ...here, pointer: `${here.pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}` }, stack);
    return out;
  };
  return walk(docs.get(at), at, []);
}

interface ChannelDraft {
  address: string;
  messages: Record<string, { name: string; payload: unknown }>;
  /** Who publishes there; a `send` operation when any. */
  send: string[];
  /** Who reads it; a `receive` operation when any. */
  receive: string[];
}

/**
 * The AsyncAPI 3.0 document of this app: a channel per topic it publishes or subscribes to, from its
 * subscriptions (declarative and programmatic), the Mecha kinds' resources (routes) and its contracts, with
 * the contracts' payload schemas. A channel gets a `send` operation when a contract binds what the app
 * publishes there or a route publishes there, a `receive` one when the app or a route subscribes or a
 * contract binds what the app accepts.
 */
export function appAsyncApi(appId: string, subscriptions: readonly SubscriptionDefinition[], kindChannels: readonly KindChannel[], contracts: readonly LoadedContract[], docs?: ContractDocuments): Record<string, unknown> {
  const channels = new Map<string, ChannelDraft>();
  const channel = (pubsubName: string, topic: string) => {
    const address = `${pubsubName}/${topic}`;
    let c = channels.get(address);
    if (!c) channels.set(address, (c = { address, messages: {}, send: [], receive: [] }));
    return c;
  };
  for (const s of subscriptions) {
    const paths = [...new Set(s.rules.map((r) => r.path))].join(', ');
    channel(s.pubsubName, s.topic).receive.push(`${s.type.toLowerCase()} subscription delivered to ${paths}${s.deadLetterTopic ? `; dead letters to ${s.deadLetterTopic}` : ''}`);
  }
  for (const contract of contracts) {
    for (const rule of contract.topics) {
      const c = channel(rule.pubsubName, rule.topic);
      if (rule.directions.includes('publish')) c.send.push(`${appId} publishes to ${c.address}`);
      if (rule.directions.includes('subscribe')) c.receive.push(`contract ${contract.name} gives the events ${appId} accepts`);
      for (const message of messagesOf(contract, rule, docs)) c.messages[uniqueKey(c.messages, message.name)] = message;
    }
  }
  for (const k of kindChannels) channel(k.pubsubName, k.topic)[k.action].push(k.description);
  const out = { channels: {} as Record<string, unknown>, operations: {} as Record<string, unknown> };
  for (const c of channels.values()) {
    const id = uniqueKey(out.channels, c.address);
    out.channels[id] = { address: c.address, messages: c.messages };
    const messages = Object.keys(c.messages).map((m) => ({ $ref: `#/channels/${id}/messages/${m}` }));
    const op = (action: string, description?: string) => ({ action, channel: { $ref: `#/channels/${id}` }, messages, ...(description ? { description } : {}) });
    if (c.send.length > 0) out.operations[`publish_${id}`] = op('send', [...new Set(c.send)].join('; '));
    if (c.receive.length > 0) out.operations[`receive_${id}`] = op('receive', [...new Set(c.receive)].join('; '));
  }
  return {
    asyncapi: '3.0.0',
    info: { title: appId, version: '1.0.0', description: `Topics the app ${appId} and its routes publish and subscribe to, as its Mecha sidecar sees them.` },
    defaultContentType: 'application/json',
    ...out,
  };
}

function messagesOf(contract: LoadedContract, rule: TopicRule, docs?: ContractDocuments): Array<{ name: string; payload: unknown }> {
  if (!docs) return [];
  return rule.schemas.map((at, i) => ({ name: rule.messages[i] ?? `${contract.name}-${i}`, payload: standalone(docs, at) }));
}

function uniqueKey(existing: Record<string, unknown>, wanted: string): string {
  const base = wanted.replace(/[^A-Za-z0-9_.-]/g, '_');
  let key = base;
  for (let i = 2; key in existing; i++) key = `${base}_${i}`;
  return key;
}

/**
 * The OpenAPI document of this app's methods: its own Contract's document with references to other files
 * inlined (those inside the document stay). Without one, an empty document.
 */
export function appOpenApi(appId: string, contracts: readonly LoadedContract[], docs?: ContractDocuments): Record<string, unknown> {
  const own = contracts.find((c) => c.openapi?.appId === appId);
  if (!own?.openapi || !docs) return { openapi: '3.1.0', info: { title: appId, version: '1.0.0', description: `No Contract describes the methods of ${appId}.` }, paths: {} };
  const root = own.openapi.root;
  return standalone(docs, { uri: root, pointer: '' }, (target) => (target.uri === root ? `#${target.pointer}` : undefined)) as Record<string, unknown>;
}
