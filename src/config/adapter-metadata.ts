import type { ValidateFunction } from 'ajv';
import type { ComponentDescriptor } from '../contracts/component.js';
import { ajv, describeAjvError } from './ajv.js';

const compiled = new WeakMap<ComponentDescriptor, ValidateFunction>();

function validatorFor(d: ComponentDescriptor): ValidateFunction {
  let v = compiled.get(d);
  if (!v) {
    v = ajv.compile(d.metadata);
    compiled.set(d, v);
  }
  return v;
}

export interface AdapterMetadataResult {
  value: Record<string, unknown>;
  errors: Array<{ field: string; message: string }>;
  /** Keys the adapter does not know: passed over with a warning, as daprd ignores them. */
  unknown: string[];
}

/**
 * Stage two of Component validation: the adapter's own metadata schema. Names match case-insensitively
 * and through the adapter's aliases (daprd decodes metadata the same way); values are coerced from
 * strings and defaults are filled in.
 */
export function validateAdapterMetadata(d: ComponentDescriptor, raw: Record<string, string>): AdapterMetadataResult {
  const names = new Map<string, string>();
  for (const p of Object.keys(d.metadata.properties)) names.set(p.toLowerCase(), p);
  for (const [alias, target] of Object.entries(d.metadataAliases ?? {})) names.set(alias.toLowerCase(), target);

  const value: Record<string, unknown> = {};
  const given: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [name, v] of Object.entries(raw)) {
    const canonical = names.get(name.toLowerCase());
    if (!canonical) unknown.push(name);
    else if (v !== '') value[canonical] = given[canonical] = normalise(d, canonical, v); // "" means unset: defaults apply
  }
  const validate = validatorFor(d);
  if (validate(value)) return { value, errors: [], unknown };
  const errors = (validate.errors ?? []).map((e) => {
    const { field, message } = describeAjvError(e, 'spec.metadata');
    const key = field.slice('spec.metadata.'.length);
    const shown = key in given && !d.metadata.properties[key]?.sensitive;
    return { field, message: shown ? `${message} (got ${JSON.stringify(given[key])})` : message };
  });
  return { value, errors, unknown };
}

/** Go's strconv.ParseBool spellings (`True`, `t`, `1`…), which daprd accepts, as ajv's "true"/"false". */
function normalise(d: ComponentDescriptor, key: string, v: string): string {
  if (d.metadata.properties[key]?.type !== 'boolean') return v;
  if (/^(1|t|true)$/i.test(v)) return 'true';
  if (/^(0|f|false)$/i.test(v)) return 'false';
  return v;
}

/** Names of metadata values that must never be logged or shown (schema `sensitive: true`). */
export function sensitiveKeys(d: ComponentDescriptor): string[] {
  return Object.entries(d.metadata.properties)
    .filter(([, p]) => p.sensitive)
    .map(([k]) => k);
}
