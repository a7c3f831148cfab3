import type { ComponentCategory, ComponentDescriptor } from '../contracts/component.js';
import type { ComponentRegistry } from '../registry/component-registry.js';
import { parseDuration } from '../util/duration.js';
import { sensitiveKeys, validateAdapterMetadata } from './adapter-metadata.js';
import { describeAjvError } from './ajv.js';
import { validateEnvelope, type ComponentEnvelope } from './component-envelope.js';
import { resolvePlainValue, type ValueContext } from './metadata-values.js';
import type { ResourceDocument } from './resource-documents.js';
import type { ResourceProblem } from './resource-problem.js';
import { splitRuntimeMetadata } from './runtime-metadata.js';

const DEFAULT_INIT_TIMEOUT_MS = 5000;

/** A Component resource that passed both validation stages and is ready to be created. */
export interface ComponentSpec {
  name: string;
  /** `spec.type` as written (an alias stays an alias, as daprd reports it). */
  type: string;
  version: string;
  category: ComponentCategory;
  descriptor: ComponentDescriptor;
  /** The adapter's metadata: validated, coerced, defaults filled. */
  metadata: Record<string, unknown>;
  /** Keys the runtime itself reads (keyPrefix, consumerID, …). */
  runtimeMetadata: Record<string, string>;
  sensitive: string[];
  initTimeoutMs: number;
  ignoreErrors: boolean;
  source: { file: string; document: number };
  /** Plain metadata values as resolved from the YAML (before validation). */
  rawMetadata: Record<string, string>;
  /** Set while `secretKeyRef` values wait for their secret store. */
  pendingSecrets?: { secretStore: string; refs: SecretRef[] };
}

export interface SecretRef {
  field: string;
  metadataName: string;
  secretName: string;
  secretKey: string;
}

export interface LoadContext extends ValueContext {
  registry: ComponentRegistry;
  warn(message: string, fields: Record<string, unknown>): void;
}

/** Turns `kind: Component` documents into specs, collecting every problem instead of stopping at one. */
export function loadComponentSpecs(documents: readonly ResourceDocument[], ctx: LoadContext): { specs: ComponentSpec[]; problems: ResourceProblem[] } {
  const specs: ComponentSpec[] = [];
  const problems: ResourceProblem[] = [];
  const seen = new Map<string, ResourceDocument>();
  for (const doc of documents) {
    const at = { file: doc.file, document: doc.index };
    const envelope = validateEnvelope(doc.content);
    if (!envelope.ok) {
      for (const e of envelope.errors) problems.push({ ...at, ...describeAjvError(e, '') });
      continue;
    }
    const c = envelope.value;
    if (!inScope(c, ctx)) continue;
    const first = seen.get(c.metadata.name);
    if (first) {
      problems.push({ ...at, field: 'metadata.name', message: `duplicate component name "${c.metadata.name}" (first defined in ${first.file}, document ${first.index})` });
      continue;
    }
    seen.set(c.metadata.name, doc);
    const spec = buildSpec(c, doc, ctx, problems);
    if (spec) specs.push(spec);
  }
  return { specs, problems };
}

function inScope(c: ComponentEnvelope, ctx: LoadContext): boolean {
  const scopes = c.scopes ?? [];
  if (scopes.length > 0 && !scopes.includes(ctx.appId)) return false;
  const ns = ctx.env.NAMESPACE;
  return !(ns && c.metadata.namespace && c.metadata.namespace !== ns);
}

function buildSpec(c: ComponentEnvelope, doc: ResourceDocument, ctx: LoadContext, problems: ResourceProblem[]): ComponentSpec | undefined {
  const at = { file: doc.file, document: doc.index };
  const resolved = ctx.registry.resolve(c.spec.type, c.spec.version);
  if (!resolved.ok) {
    problems.push(
      resolved.problem === 'unknown-type'
        ? { ...at, field: 'spec.type', message: `unknown component type "${c.spec.type}"; known types: ${resolved.known.join(', ')}` }
        : { ...at, field: 'spec.version', message: `"${c.spec.version}" is not a version of ${c.spec.type}; known versions: ${resolved.known.join(', ')}` },
    );
    return undefined;
  }
  const { descriptor, version } = resolved;

  const raw: Record<string, string> = {};
  const secretRefs: SecretRef[] = [];
  let failed = false;
  (c.spec.metadata ?? []).forEach((item, i) => {
    const field = `spec.metadata[${i}]`;
    if (item.secretKeyRef) {
      if (!c.auth?.secretStore) {
        problems.push({ ...at, field: `${field}.secretKeyRef`, message: 'a secretKeyRef needs auth.secretStore to name a secret store' });
        failed = true;
      } else {
        secretRefs.push({ field: `${field}.secretKeyRef`, metadataName: item.name, secretName: item.secretKeyRef.name, secretKey: item.secretKeyRef.key || item.secretKeyRef.name });
      }
      return;
    }
    try {
      raw[item.name] = resolvePlainValue(item, ctx);
    } catch (err) {
      problems.push({ ...at, field, message: (err as Error).message });
      failed = true;
    }
  });
  if (failed) return undefined;

  const timeout = c.spec.initTimeout ? parseDuration(c.spec.initTimeout) : undefined;
  const spec: ComponentSpec = {
    name: c.metadata.name,
    type: c.spec.type,
    version,
    category: descriptor.category,
    descriptor,
    metadata: {},
    runtimeMetadata: {},
    sensitive: sensitiveKeys(descriptor),
    initTimeoutMs: timeout !== undefined && timeout > 0 ? timeout : DEFAULT_INIT_TIMEOUT_MS,
    ignoreErrors: c.spec.ignoreErrors === true,
    source: at,
    rawMetadata: raw,
  };
  if (secretRefs.length > 0) {
    // Validated once the secret store is up and the references are resolved (completeSpec).
    spec.pendingSecrets = { secretStore: c.auth!.secretStore!, refs: secretRefs };
    return spec;
  }
  const done = completeSpec(spec, {}, ctx.warn);
  problems.push(...done.problems);
  return done.problems.length === 0 ? spec : undefined;
}

/**
 * Finishes a spec: resolved secret values join the plain ones, runtime keys are split off and the
 * adapter's schema validates the rest. Secret values never appear in problem messages (they are sensitive).
 */
export function completeSpec(spec: ComponentSpec, secrets: Record<string, string>, warn: LoadContext['warn']): { problems: ResourceProblem[] } {
  const at = spec.source;
  const problems: ResourceProblem[] = [];
  const { runtime, adapter } = splitRuntimeMetadata(spec.category, { ...spec.rawMetadata, ...secrets });
  if (runtime.keyPrefix?.includes('||')) {
    problems.push({ ...at, field: 'spec.metadata.keyPrefix', message: `"${runtime.keyPrefix}" cannot contain "||"` });
    return { problems };
  }
  const checked = validateAdapterMetadata(spec.descriptor, adapter);
  for (const e of checked.errors) {
    const fromSecret = Object.keys(secrets).some((k) => e.field.endsWith(`.${k}`));
    problems.push({ ...at, ...e, message: fromSecret ? e.message.replace(/ \(got .*\)$/, ' (value from a secret)') : e.message });
  }
  if (checked.errors.length > 0) return { problems };
  if (checked.unknown.length > 0) warn('unknown component metadata ignored', { component: spec.name, file: at.file, keys: checked.unknown });
  spec.metadata = checked.value;
  spec.runtimeMetadata = runtime;
  delete spec.pendingSecrets;
  return { problems };
}
